/*
 * The shim as a wasmaot_host_module (runtime-c/host/wasmaot_host.h), the
 * form the standalone main's import table uses: it declares
 *     extern const wasmaot_host_module wasmaot_host_wasi_snapshot_preview1
 *         __attribute__((weak));
 * so linking this file (plus the shim) is all it takes to give an
 * executable WASI.  Hosted (POSIX) builds only, like wasmaot_host.h.
 *
 * Every import is bound to the process-wide default ctx
 * (wasmaot_wasi_default_ctx: the program's argv, the grants baked in with
 * wasmaot_wasi_baked_options, stdio 0/1/2).  The guest memory is bound in
 * `bind`, which hosts call BEFORE instantiation: it records the instance's
 * pointer slot of its export "memory" (what WASI requires of a command
 * module), read at every call, so WASI calls from a start function work.
 */
#include "wasmaot_host.h"
#include "wasmaot_wasi.h"

#include <string.h>

static int wasi_resolve(const wasmaot_import_desc *imp, void *instance) {
    if (imp->kind != WASMAOT_EXTERN_FUNC || !wasmaot_wasi_p1_signature(imp->name)) return WASMAOT_LINK_UNKNOWN;
    wasmaot_funcref fr;
    if (wasmaot_wasi_resolve(wasmaot_wasi_default_ctx(), imp->module, imp->name, imp->type, &fr) != 0)
        return WASMAOT_LINK_INCOMPATIBLE;
    memcpy(wasmaot_host_slot(instance, imp->offset), &fr, sizeof fr);
    return WASMAOT_LINK_OK;
}

static void wasi_bind(void *instance, const wasmaot_module_desc *desc) {
    const wasmaot_export_desc *e = wasmaot_host_find_export(desc, "memory");
    if (e && e->kind == WASMAOT_EXTERN_MEMORY)
        wasmaot_wasi_bind_memory_slot(wasmaot_wasi_default_ctx(),
                                      (wasmaot_memory *const *)wasmaot_host_slot(instance, e->offset));
}

const wasmaot_host_module wasmaot_host_wasi_snapshot_preview1 = {"wasi_snapshot_preview1", wasi_resolve, wasi_bind};
