#!/usr/bin/env python3
"""A local HTTP receiver for the sink tests: records every POST (path, headers, body) as one
JSON line in a file, and can be told to answer the first N requests with an error status.

usage: http_recorder.py PORT_FILE RECORD_FILE [--fail N] [--status 500|429|400] [--port P]

It binds 127.0.0.1 on a free port (or P) and writes the port to PORT_FILE once it listens. Requests
that get an error are recorded too, with "answered": the status sent."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    port_file, record_file = sys.argv[1], sys.argv[2]
    fail, status, port = 0, 500, 0
    args = sys.argv[3:]
    while args:
        if args[0] == "--fail":
            fail = int(args[1])
        elif args[0] == "--status":
            status = int(args[1])
        elif args[0] == "--port":
            port = int(args[1])
        else:
            sys.exit("unknown argument " + args[0])
        args = args[2:]
    lock = threading.Lock()
    seen = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                seen[0] += 1
                answer = status if seen[0] <= fail else 200
                if self.path.startswith("/pagerduty") and answer == 200:
                    answer = 202  # the Events API answers 202 Accepted
                with open(record_file, "a", encoding="utf-8") as out:
                    out.write(json.dumps({
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body.decode("utf-8", "replace"),
                        "answered": answer,
                    }) + "\n")
            reply = b'{"status":"success"}' if answer < 300 else b'{"status":"try later"}'
            self.send_response(answer)
            if answer == 429:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
