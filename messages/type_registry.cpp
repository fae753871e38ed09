#include "messages/type_registry.hpp"

#include <caf/actor_system_config.hpp>

#include "messages/inspect.hpp"

namespace seerflow::messages {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<model::raw_batch>("seerflow.raw_batch");
  cfg.add_message_type<model::event>("seerflow.event");
  cfg.add_message_type<model::rejected_record>("seerflow.rejected_record");
  cfg.add_message_type<model::alert>("seerflow.alert");
  cfg.add_message_type<std::vector<model::alert>>("seerflow.alert_list");
  cfg.add_message_type<model::template_delivery>("seerflow.template_delivery");
  cfg.add_message_type<model::finding>("seerflow.finding");
  cfg.add_message_type<model::correlation_observation>("seerflow.correlation_observation");
  cfg.add_message_type<model::entity_delivery>("seerflow.entity_delivery");
  cfg.add_message_type<ingest::credit_token>("seerflow.credit_token");
  cfg.add_message_type<event_batch>("seerflow.event_batch");
  cfg.add_message_type<routed_batch>("seerflow.routed_batch");
  cfg.add_message_type<template_message>("seerflow.template_message");
  cfg.add_message_type<entity_message>("seerflow.entity_message");
  cfg.add_message_type<std::vector<model::edge_observation>>("seerflow.edge_observation_list");
  // Between cluster nodes (actors/cluster_actor.hpp).
  cfg.add_message_type<cluster::member_info>("seerflow.member_info");
  cfg.add_message_type<std::vector<cluster::member_info>>("seerflow.member_list");
  cfg.add_message_type<handover_item>("seerflow.handover_item");
  cfg.add_message_type<std::vector<handover_item>>("seerflow.handover_list");
}

}  // namespace seerflow::messages
