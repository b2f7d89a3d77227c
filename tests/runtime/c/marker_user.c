/* Stand-in for a generated object: it reads the bounds-mode marker of the
 * mode it was compiled for, exactly as generated code must (wasmaot_rt.h
 * section 8), so linking it against a runtime of the other mode fails. */
#include "wasmaot_rt.h"

int main(void) {
    return WASMAOT_RT_BOUNDS_MARKER == WASMAOT_RT_ABI_VERSION ? 0 : 1;
}
