#!/usr/bin/env bash
# Makes a cluster CA and one certificate per node, signed by it, with the openssl CLI:
#   deploy/make-cluster-certs.sh DIR NODE...
# DIR/ca.pem is every node's cluster.tls.ca_file; DIR/NODE.pem and DIR/NODE.key are NODE's
# cluster.tls.certificate and cluster.tls.key. Keep DIR/ca.key offline: whoever holds it can
# make certificates the cluster accepts. An existing CA in DIR is reused (adding a node later).
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 DIR NODE..." >&2; exit 2; }
dir=$1; shift
mkdir -p "$dir"
umask 077
if [[ ! -f "$dir/ca.pem" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=Seerflow cluster CA" -keyout "$dir/ca.key" -out "$dir/ca.pem"
fi
for node in "$@"; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$node" \
    -keyout "$dir/$node.key" -out "$dir/$node.csr"
  openssl x509 -req -in "$dir/$node.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 825 -out "$dir/$node.pem"
  rm -f "$dir/$node.csr"
done
# The container runs as uid 10001: it must be able to read the node files.
chmod 644 "$dir"/*.pem
chmod 644 "$dir"/*.key
chmod 600 "$dir/ca.key"
ls -l "$dir"
