/*
 * p2_http.h -- the wasi:http host functions of p2_http.c, for the table that
 * component/p2_component.c expands from component/p2_funcs.def.
 */
#ifndef WASMAOT_P2_HTTP_H
#define WASMAOT_P2_HTTP_H

#include "wasmaot_cm.h"

#define P2_HTTP_HOST(name) int name(wasmaot_cm_cx *cx, const wasmaot_cm_value *a, wasmaot_cm_value *r)

P2_HTTP_HOST(h_fields_new);
P2_HTTP_HOST(h_fields_from_list);
P2_HTTP_HOST(h_fields_get);
P2_HTTP_HOST(h_fields_has);
P2_HTTP_HOST(h_fields_set);
P2_HTTP_HOST(h_fields_delete);
P2_HTTP_HOST(h_fields_append);
P2_HTTP_HOST(h_fields_entries);
P2_HTTP_HOST(h_fields_clone);
P2_HTTP_HOST(h_in_request_method);
P2_HTTP_HOST(h_in_request_path);
P2_HTTP_HOST(h_in_request_scheme);
P2_HTTP_HOST(h_in_request_authority);
P2_HTTP_HOST(h_in_request_headers);
P2_HTTP_HOST(h_in_request_consume);
P2_HTTP_HOST(h_out_request_new);
P2_HTTP_HOST(h_out_message_body);
P2_HTTP_HOST(h_out_request_method);
P2_HTTP_HOST(h_out_request_set_method);
P2_HTTP_HOST(h_out_request_path);
P2_HTTP_HOST(h_out_request_set_path);
P2_HTTP_HOST(h_out_request_scheme);
P2_HTTP_HOST(h_out_request_set_scheme);
P2_HTTP_HOST(h_out_request_authority);
P2_HTTP_HOST(h_out_request_set_authority);
P2_HTTP_HOST(h_out_message_headers);
P2_HTTP_HOST(h_options_new);
P2_HTTP_HOST(h_options_connect);
P2_HTTP_HOST(h_options_set_connect);
P2_HTTP_HOST(h_options_first_byte);
P2_HTTP_HOST(h_options_set_first_byte);
P2_HTTP_HOST(h_options_between_bytes);
P2_HTTP_HOST(h_options_set_between_bytes);
P2_HTTP_HOST(h_outparam_set);
P2_HTTP_HOST(h_in_response_status);
P2_HTTP_HOST(h_in_response_headers);
P2_HTTP_HOST(h_in_response_consume);
P2_HTTP_HOST(h_in_body_stream);
P2_HTTP_HOST(h_in_body_finish);
P2_HTTP_HOST(h_fut_trailers_subscribe);
P2_HTTP_HOST(h_fut_trailers_get);
P2_HTTP_HOST(h_out_response_new);
P2_HTTP_HOST(h_out_response_status);
P2_HTTP_HOST(h_out_response_set_status);
P2_HTTP_HOST(h_out_body_write);
P2_HTTP_HOST(h_out_body_finish);
P2_HTTP_HOST(h_fut_response_subscribe);
P2_HTTP_HOST(h_fut_response_get);
P2_HTTP_HOST(h_http_error_code);
P2_HTTP_HOST(h_outgoing_handle);

/* A host resource dropped by the guest: an http resource's state is freed, a
 * body stream's descriptor closed (the slot is released by the caller). */
void wasmaot_p2_http_drop(uint32_t rep);

#endif
