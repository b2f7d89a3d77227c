/* errno for the spec driver on firmware (fw_libc.c): one global, no threads. */
#ifndef WASMAOT_FW_ERRNO_H
#define WASMAOT_FW_ERRNO_H
extern int errno;
#define ERANGE 34
#define EINVAL 22
#endif
