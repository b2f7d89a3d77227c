/* Capability rules: paths that must not leave the preopen "/sandbox", and
 * the read-only preopen "/ro".  The test creates, inside /sandbox:
 *   out_rel -> ../outside   out_abs -> <abs outside>   loop -> loop
 *   ping -> pong -> ping    sub/up -> ../hello         chain -> sub/up */
#include "common.h"
int main(void) {
    int root = preopen_fd("/sandbox"), ro = preopen_fd("/ro");
    printf("fds %d %d\n", root, ro);
    const char *paths[] = {"..", "../outside/secret", "sub/../../outside/secret", "sub/../hello", "./sub/./inner",
                           "/etc/passwd", "/", "out_rel/secret", "out_abs/secret", "out_abs", "out_rel",
                           "loop", "loop/x", "ping", "chain", "sub/up", NULL};
    for (int i = 0; paths[i]; i++) {
        po(root, paths[i], 1, 0, RIGHTS_R, 0, NULL);
        po(root, paths[i], 0, 0, RIGHTS_R, 0, NULL);
    }
    show("mkdir ../x", __wasi_path_create_directory(root, "../x"));
    show("mkdir /tmp/x", __wasi_path_create_directory(root, "/tmp/x"));
    show("mkdir out_rel/x", __wasi_path_create_directory(root, "out_rel/x"));
    show("unlink ../outside/secret", __wasi_path_unlink_file(root, "../outside/secret"));
    show("rename to ../stolen", __wasi_path_rename(root, "hello", root, "../stolen"));
    show("link from outside", __wasi_path_link(root, 1, "out_rel/secret", root, "stolen"));
    show("symlink absolute target", __wasi_path_symlink("/etc/passwd", root, "abs2"));
    show("symlink relative escape", __wasi_path_symlink("../outside/secret", root, "rel2"));
    po(root, "rel2", 1, 0, RIGHTS_R, 0, NULL);
    __wasi_filestat_t fs;
    show("stat ../outside", __wasi_path_filestat_get(root, 1, "../outside", &fs));
    show("stat loop follow", __wasi_path_filestat_get(root, 1, "loop", &fs));
    show("stat loop nofollow", __wasi_path_filestat_get(root, 0, "loop", &fs));
    char lb[64];
    __wasi_size_t ln;
    show("readlink out_rel", __wasi_path_readlink(root, "out_rel", (uint8_t *)lb, sizeof lb, &ln));
    printf("  [%.*s]\n", (int)ln, lb);
    int sfd;
    po(root, "sub", 1, __WASI_OFLAGS_DIRECTORY, RIGHTS_R, 0, &sfd);
    po(sfd, "../hello", 1, 0, RIGHTS_R, 0, NULL);
    po(sfd, "up", 1, 0, RIGHTS_R, 0, NULL);
    /* read-only preopen */
    int f;
    po(ro, "hello", 1, 0, RIGHTS_R, 0, &f);
    char buf[32];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    __wasi_size_t n;
    show("ro read", __wasi_fd_read(f, &iov, 1, &n));
    printf("  [%.*s]\n", (int)n, buf);
    __wasi_ciovec_t w = {(const uint8_t *)"x", 1};
    show("ro write on read fd", __wasi_fd_write(f, &w, 1, &n));
    show("ro set_size", __wasi_fd_filestat_set_size(f, 0));
    show("ro set_times", __wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    po(ro, "hello", 1, 0, RIGHTS_RW, 0, NULL);
    po(ro, "new", 1, __WASI_OFLAGS_CREAT, RIGHTS_RW, 0, NULL);
    po(ro, "hello", 1, __WASI_OFLAGS_TRUNC, RIGHTS_RW, 0, NULL);
    po(ro, "missing", 1, 0, RIGHTS_RW, 0, NULL);
    po(ro, "missing", 1, 0, RIGHTS_R, 0, NULL);
    show("ro mkdir", __wasi_path_create_directory(ro, "d"));
    show("ro rmdir", __wasi_path_remove_directory(ro, "sub"));
    show("ro unlink", __wasi_path_unlink_file(ro, "hello"));
    show("ro rename", __wasi_path_rename(ro, "hello", ro, "moved"));
    show("ro symlink", __wasi_path_symlink("hello", ro, "l"));
    show("ro link", __wasi_path_link(ro, 0, "hello", ro, "l"));
    show("ro path set_times", __wasi_path_filestat_set_times(ro, 0, "hello", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    show("ro -> rw rename", __wasi_path_rename(ro, "hello", root, "from_ro"));
    __wasi_fdstat_t st;
    show("ro fdstat", __wasi_fd_fdstat_get(ro, &st));
    printf("  base %llx\n", (unsigned long long)st.fs_rights_base);
    int rsub;
    po(ro, "sub", 1, __WASI_OFLAGS_DIRECTORY, RIGHTS_R, 0, &rsub);
    show("ro sub unlink", __wasi_path_unlink_file(rsub, "inner"));
    return 0;
}
