/*
 * p2_sockets.h -- wasi:sockets host functions (p2_sockets.c), for the
 * host function table that p2_component.c expands from p2_funcs.def, and
 * the drop hook that closes a socket's host descriptor.
 *
 * Hosted builds only (layer `host`): every function uses the process-wide
 * default ctx, whose config carries the network grants (cfg->network,
 * WASMAOT_WASI_NET_*).
 */
#ifndef WASMAOT_P2_SOCKETS_H
#define WASMAOT_P2_SOCKETS_H

#include "wasmaot_cm.h"

#include <stdint.h>

#define P2_SOCKET_HOST(name) int name(wasmaot_cm_cx *cx, const wasmaot_cm_value *a, wasmaot_cm_value *r)

/* A host resource `rep` dropped by the guest: if it is a socket resource
 * (or a stream over a socket), its host descriptor is closed and its state
 * freed.  The slot itself is released by wasmaot_p2_drop afterwards. */
void wasmaot_p2_sockets_drop(uint32_t rep);

/* wasi:sockets/instance-network, network */
P2_SOCKET_HOST(h_instance_network);
/* wasi:sockets/tcp-create-socket, tcp */
P2_SOCKET_HOST(h_create_tcp_socket);
P2_SOCKET_HOST(h_tcp_start_bind);
P2_SOCKET_HOST(h_tcp_finish_bind);
P2_SOCKET_HOST(h_tcp_start_connect);
P2_SOCKET_HOST(h_tcp_finish_connect);
P2_SOCKET_HOST(h_tcp_start_listen);
P2_SOCKET_HOST(h_tcp_finish_listen);
P2_SOCKET_HOST(h_tcp_accept);
P2_SOCKET_HOST(h_tcp_local_address);
P2_SOCKET_HOST(h_tcp_remote_address);
P2_SOCKET_HOST(h_tcp_is_listening);
P2_SOCKET_HOST(h_tcp_address_family);
P2_SOCKET_HOST(h_tcp_set_listen_backlog_size);
P2_SOCKET_HOST(h_tcp_keep_alive_enabled);
P2_SOCKET_HOST(h_tcp_set_keep_alive_enabled);
P2_SOCKET_HOST(h_tcp_keep_alive_idle_time);
P2_SOCKET_HOST(h_tcp_set_keep_alive_idle_time);
P2_SOCKET_HOST(h_tcp_keep_alive_interval);
P2_SOCKET_HOST(h_tcp_set_keep_alive_interval);
P2_SOCKET_HOST(h_tcp_keep_alive_count);
P2_SOCKET_HOST(h_tcp_set_keep_alive_count);
P2_SOCKET_HOST(h_tcp_hop_limit);
P2_SOCKET_HOST(h_tcp_set_hop_limit);
P2_SOCKET_HOST(h_tcp_receive_buffer_size);
P2_SOCKET_HOST(h_tcp_set_receive_buffer_size);
P2_SOCKET_HOST(h_tcp_send_buffer_size);
P2_SOCKET_HOST(h_tcp_set_send_buffer_size);
P2_SOCKET_HOST(h_tcp_subscribe);
P2_SOCKET_HOST(h_tcp_shutdown);
/* wasi:sockets/udp-create-socket, udp */
P2_SOCKET_HOST(h_create_udp_socket);
P2_SOCKET_HOST(h_udp_start_bind);
P2_SOCKET_HOST(h_udp_finish_bind);
P2_SOCKET_HOST(h_udp_stream);
P2_SOCKET_HOST(h_udp_local_address);
P2_SOCKET_HOST(h_udp_remote_address);
P2_SOCKET_HOST(h_udp_address_family);
P2_SOCKET_HOST(h_udp_unicast_hop_limit);
P2_SOCKET_HOST(h_udp_set_unicast_hop_limit);
P2_SOCKET_HOST(h_udp_receive_buffer_size);
P2_SOCKET_HOST(h_udp_set_receive_buffer_size);
P2_SOCKET_HOST(h_udp_send_buffer_size);
P2_SOCKET_HOST(h_udp_set_send_buffer_size);
P2_SOCKET_HOST(h_udp_subscribe);
P2_SOCKET_HOST(h_incoming_receive);
P2_SOCKET_HOST(h_incoming_subscribe);
P2_SOCKET_HOST(h_outgoing_check_send);
P2_SOCKET_HOST(h_outgoing_send);
P2_SOCKET_HOST(h_outgoing_subscribe);
/* wasi:sockets/ip-name-lookup */
P2_SOCKET_HOST(h_resolve_addresses);
P2_SOCKET_HOST(h_resolve_next_address);
P2_SOCKET_HOST(h_resolve_subscribe);

#endif /* WASMAOT_P2_SOCKETS_H */
