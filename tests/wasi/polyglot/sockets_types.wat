;; The shape of the wasi:sockets imports in componentize-py's command
;; components: wasi:sockets/udp re-exports network's `ip-socket-address`,
;; a variant whose cases are network's `ipv4-socket-address` and
;; `ipv6-socket-address` records, which the component never aliases out.
;; Valid (wasm-tools accepts it): a type exported by an imported instance
;; is named by that import, and instantiating udp's type (fresh resources)
;; must keep the records the same objects.
(component
  (type $net-t (instance
    (export "network" (type (sub resource)))
    (type $v4 (tuple u8 u8 u8 u8))
    (export "ipv4-address" (type $v4' (eq $v4)))
    (type $sa4 (record (field "port" u16) (field "address" $v4')))
    (export "ipv4-socket-address" (type $sa4' (eq $sa4)))
    (type $sa (variant (case "ipv4" $sa4')))
    (export "ip-socket-address" (type (eq $sa)))))
  (import "wasi:sockets/network@0.2.12" (instance $net (type $net-t)))
  (alias export $net "ip-socket-address" (type $ip-socket-address))
  (type $udp-t (instance
    (export "udp-socket" (type $sock (sub resource)))
    (alias outer 1 $ip-socket-address (type $a))
    (export "ip-socket-address" (type $a' (eq $a)))
    (type $r (result $a'))
    (export "[method]udp-socket.local-address" (func (param "self" (borrow $sock)) (result $r)))))
  (import "wasi:sockets/udp@0.2.12" (instance (type $udp-t)))
)
