#pragma once
// CAF 0.17 inspect() overloads for every type that crosses an actor boundary. They live here,
// not beside the types, so runtime/ stays free of CAF. Found by ADL: each overload sits in the
// namespace of its type. Credit tokens are local by nature (they return a credit to a gate in
// this process) and are deliberately not serialized: across nodes, links use their own credit
// windows.
#include <caf/meta/type_name.hpp>

#include "messages/batches.hpp"
#include "messages/cluster.hpp"

namespace seerflow::model {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entity_ref& x) {
  return f(caf::meta::type_name("seerflow.entity_ref"), x.type, x.value, x.id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, logsource& x) {
  return f(caf::meta::type_name("seerflow.logsource"), x.product, x.service, x.category);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, field& x) {
  return f(caf::meta::type_name("seerflow.field"), x.key, x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("seerflow.event"), x.seq, x.time_ns, x.arrival_ns, x.time_from_log,
           x.facility, x.severity, x.source, x.peer, x.host, x.app, x.procid, x.msgid, x.message,
           x.fields, x.ls, x.template_id, x.template_text, x.params, x.entities);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, raw_record& x) {
  return f(caf::meta::type_name("seerflow.raw_record"), x.data, x.arrival_ns, x.peer);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, raw_batch& x) {
  return f(caf::meta::type_name("seerflow.raw_batch"), x.format, x.records, x.prepared);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rejected_record& x) {
  return f(caf::meta::type_name("seerflow.rejected_record"), x.source, x.reason, x.detail, x.data,
           x.arrival_ns, x.peer, x.after_seq);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, template_delivery& x) {
  return f(caf::meta::type_name("seerflow.template_delivery"), x.template_id, x.source, x.text,
           x.created, x.updated, x.times, x.example, x.absorbed);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entity_observation& x) {
  return f(caf::meta::type_name("seerflow.entity_observation"), x.time_ns, x.seq, x.template_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, finding& x) {
  return f(caf::meta::type_name("seerflow.finding"), x.alert_id, x.kind, x.severity, x.rule,
           x.title, x.time_ns, x.tactics, x.event_seqs);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, correlation_observation& x) {
  return f(caf::meta::type_name("seerflow.correlation_observation"), x.correlation, x.signature,
           x.rule_pos, x.time_ns, x.seq, x.has_value, x.value, x.group_values, x.entities);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entity_delivery& x) {
  return f(caf::meta::type_name("seerflow.entity_delivery"), x.entity, x.source, x.observations,
           x.findings, x.correlations, x.batch, x.awaiting, x.verdict_to, x.verdict_of);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert& x) {
  return f(caf::meta::type_name("seerflow.alert"), x.id, x.kind, x.severity, x.rule, x.title,
           x.source, x.time_ns, x.event_seqs, x.entities, x.details_json, x.tactics, x.techniques,
           x.dedup_key, x.count, x.last_time_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, edge_observation& x) {
  return f(caf::meta::type_name("seerflow.edge_observation"), x.from, x.to, x.type, x.first_ns,
           x.last_ns, x.count);
}

}  // namespace seerflow::model

namespace seerflow::cluster {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_info& x) {
  return f(caf::meta::type_name("seerflow.member_info"), x.id, x.address);
}

}  // namespace seerflow::cluster

namespace seerflow::ingest {

// Serializes nothing: see the header comment.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credit_token&) {
  return f(caf::meta::type_name("seerflow.credit_token"));
}

}  // namespace seerflow::ingest

namespace seerflow::messages {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_batch& x) {
  return f(caf::meta::type_name("seerflow.event_batch"), x.source, x.events, x.rejected);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, routed_batch& x) {
  return f(caf::meta::type_name("seerflow.routed_batch"), x.templates, x.entities);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, template_message& x) {
  return f(caf::meta::type_name("seerflow.template_message"), x.delivery);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handover_item& x) {
  return f(caf::meta::type_name("seerflow.handover_item"), x.entity, x.key, x.snapshot);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entity_message& x) {
  return f(caf::meta::type_name("seerflow.entity_message"), x.delivery);
}

}  // namespace seerflow::messages
