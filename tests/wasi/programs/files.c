/* Every file/directory call of preview1 against the preopen "/sandbox"
 * (which holds hello = "hello world" and sub/inner = "inner"), printing
 * errnos and data.  Directory listings are sorted (readdir order is the
 * host file system's). */
#include "common.h"

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(int fd) {
    static uint8_t buf[4096];
    __wasi_size_t used;
    show("readdir", __wasi_fd_readdir(fd, buf, sizeof buf, 0, &used));
    char *names[64];
    int n = 0;
    for (size_t off = 0; off + sizeof(__wasi_dirent_t) <= used && n < 64;) {
        __wasi_dirent_t d;
        memcpy(&d, buf + off, sizeof d);
        char *s = malloc(d.d_namlen + 8);
        snprintf(s, d.d_namlen + 8, "%.*s:%d", (int)d.d_namlen, (char *)buf + off + sizeof d, d.d_type);
        names[n++] = s;
        off += sizeof d + d.d_namlen;
    }
    qsort(names, n, sizeof names[0], cmp);
    for (int i = 0; i < n; i++) printf("  entry %s\n", names[i]);
    /* cookies: resume after the first two entries */
    show("readdir cookie 2", __wasi_fd_readdir(fd, buf, sizeof buf, 2, &used));
    show("readdir tiny buffer", __wasi_fd_readdir(fd, buf, 10, 0, &used));
    printf("  tiny used %u\n", used);
}

int main(void) {
    int root = preopen_fd("/sandbox");
    printf("preopen fd %d\n", root);
    __wasi_prestat_t ps;
    show("prestat", __wasi_fd_prestat_get(root, &ps));
    printf("  name len %u\n", ps.u.dir.pr_name_len);
    char nb[4];
    show("prestat_dir_name short", __wasi_fd_prestat_dir_name(root, (uint8_t *)nb, 3));
    __wasi_fdstat_t st;
    show("fdstat preopen", __wasi_fd_fdstat_get(root, &st));
    printf("  type %d base %llx inh %llx\n", st.fs_filetype, (unsigned long long)st.fs_rights_base,
           (unsigned long long)st.fs_rights_inheriting);

    int fd;
    po(root, "new.txt", 1, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0, &fd);
    printf("  fd %d\n", fd);
    __wasi_ciovec_t iov[3] = {{(const uint8_t *)"", 0}, {(const uint8_t *)"0123456789", 10}, {(const uint8_t *)"XX", 2}};
    __wasi_size_t n;
    show("write (first non-empty iovec)", __wasi_fd_write(fd, iov, 3, &n));
    printf("  wrote %u\n", n);
    __wasi_filesize_t pos;
    show("tell", __wasi_fd_tell(fd, &pos));
    printf("  pos %llu\n", (unsigned long long)pos);
    show("seek set 2", __wasi_fd_seek(fd, 2, __WASI_WHENCE_SET, &pos));
    char buf[64] = {0};
    __wasi_iovec_t riov = {(uint8_t *)buf, 3};
    show("read 3", __wasi_fd_read(fd, &riov, 1, &n));
    printf("  read [%.*s]\n", (int)n, buf);
    show("seek cur -1", __wasi_fd_seek(fd, -1, __WASI_WHENCE_CUR, &pos));
    printf("  pos %llu\n", (unsigned long long)pos);
    show("seek end -3", __wasi_fd_seek(fd, -3, __WASI_WHENCE_END, &pos));
    printf("  pos %llu\n", (unsigned long long)pos);
    show("seek before start", __wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos));
    show("seek set negative", __wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos));
    __wasi_ciovec_t ab = {(const uint8_t *)"AB", 2};
    show("pwrite 0", __wasi_fd_pwrite(fd, &ab, 1, 0, &n));
    riov.buf_len = 4;
    show("pread 6", __wasi_fd_pread(fd, &riov, 1, 6, &n));
    printf("  pread [%.*s]\n", (int)n, buf);
    show("tell", __wasi_fd_tell(fd, &pos));
    printf("  pos %llu\n", (unsigned long long)pos);
    __wasi_filestat_t fs;
    show("filestat", __wasi_fd_filestat_get(fd, &fs));
    printf("  type %d size %llu nlink %llu dev %llu\n", fs.filetype, (unsigned long long)fs.size,
           (unsigned long long)fs.nlink, (unsigned long long)fs.dev);
    show("set_size 4", __wasi_fd_filestat_set_size(fd, 4));
    show("set_times", __wasi_fd_filestat_set_times(fd, 1000000000ull, 2000000000ull,
                                                   __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    show("filestat", __wasi_fd_filestat_get(fd, &fs));
    printf("  size %llu atim %llu mtim %llu\n", (unsigned long long)fs.size, (unsigned long long)fs.atim,
           (unsigned long long)fs.mtim);
    show("set_times atim+now", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
    show("sync", __wasi_fd_sync(fd));
    show("datasync", __wasi_fd_datasync(fd));
    show("advise", __wasi_fd_advise(fd, 0, 4, __WASI_ADVICE_SEQUENTIAL));
    show("allocate", __wasi_fd_allocate(fd, 0, 100));
    show("fdstat file", __wasi_fd_fdstat_get(fd, &st));
    printf("  type %d flags %d base %llx\n", st.fs_filetype, st.fs_flags, (unsigned long long)st.fs_rights_base);
    show("set_flags append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    show("set_flags dsync", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_DSYNC));
    show("seek set 0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    __wasi_ciovec_t xyz = {(const uint8_t *)"xyz", 3};
    show("append write", __wasi_fd_write(fd, &xyz, 1, &n));
    show("tell", __wasi_fd_tell(fd, &pos));
    printf("  pos %llu\n", (unsigned long long)pos);
    show("set_rights", __wasi_fd_fdstat_set_rights(fd, 0, 0));
    show("close", __wasi_fd_close(fd));
    show("close again", __wasi_fd_close(fd));
    po(root, "new.txt", 1, 0, RIGHTS_R, 0, &fd);
    riov.buf_len = 60;
    show("read all", __wasi_fd_read(fd, &riov, 1, &n));
    printf("  content [%.*s]\n", (int)n, buf);
    show("write to read-only fd", __wasi_fd_write(fd, &xyz, 1, &n));
    show("read at eof", __wasi_fd_read(fd, &riov, 1, &n));
    printf("  n %u\n", n);

    /* fd numbering and renumber */
    int a, b, c;
    po(root, "hello", 1, 0, RIGHTS_R, 0, &a);
    po(root, "hello", 1, 0, RIGHTS_R, 0, &b);
    po(root, "hello", 1, 0, RIGHTS_R, 0, &c);
    printf("  fds %d %d %d\n", a, b, c);
    __wasi_fd_close(a);
    __wasi_fd_close(b);
    po(root, "hello", 1, 0, RIGHTS_R, 0, &a);
    printf("  reused %d\n", a);
    show("renumber", __wasi_fd_renumber(c, a));
    show("renumber bad", __wasi_fd_renumber(99, a));
    show("close renumbered", __wasi_fd_close(c));

    /* directories */
    show("mkdir d", __wasi_path_create_directory(root, "d"));
    show("mkdir d again", __wasi_path_create_directory(root, "d"));
    show("mkdir d/e", __wasi_path_create_directory(root, "d/e"));
    show("mkdir missing/e", __wasi_path_create_directory(root, "missing/e"));
    show("rmdir d (not empty)", __wasi_path_remove_directory(root, "d"));
    show("rmdir d/e", __wasi_path_remove_directory(root, "d/e"));
    show("rmdir hello", __wasi_path_remove_directory(root, "hello"));
    show("unlink d", __wasi_path_unlink_file(root, "d"));
    show("unlink missing", __wasi_path_unlink_file(root, "missing"));
    int dfd;
    po(root, ".", 1, __WASI_OFLAGS_DIRECTORY, RIGHTS_R, 0, &dfd);
    list(dfd);
    show("fdstat opened dir", __wasi_fd_fdstat_get(dfd, &st));
    printf("  type %d\n", st.fs_filetype);
    show("prestat opened dir", __wasi_fd_prestat_get(dfd, &ps));
    show("rename", __wasi_path_rename(root, "new.txt", root, "d/moved.txt"));
    show("rename missing", __wasi_path_rename(root, "nope", root, "x"));
    show("symlink", __wasi_path_symlink("d/moved.txt", root, "lnk"));
    show("symlink exists", __wasi_path_symlink("x", root, "lnk"));
    char lb[64];
    __wasi_size_t ln;
    show("readlink", __wasi_path_readlink(root, "lnk", (uint8_t *)lb, sizeof lb, &ln));
    printf("  target [%.*s]\n", (int)ln, lb);
    show("readlink short", __wasi_path_readlink(root, "lnk", (uint8_t *)lb, 3, &ln));
    printf("  n %u\n", ln);
    show("readlink not a link", __wasi_path_readlink(root, "hello", (uint8_t *)lb, sizeof lb, &ln));
    po(root, "lnk", 1, 0, RIGHTS_R, 0, NULL);
    po(root, "lnk", 0, 0, RIGHTS_R, 0, NULL);
    show("stat lnk nofollow", __wasi_path_filestat_get(root, 0, "lnk", &fs));
    printf("  type %d\n", fs.filetype);
    show("stat lnk follow", __wasi_path_filestat_get(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "lnk", &fs));
    printf("  type %d size %llu\n", fs.filetype, (unsigned long long)fs.size);
    show("link", __wasi_path_link(root, 0, "hello", root, "hard"));
    show("stat hard", __wasi_path_filestat_get(root, 0, "hard", &fs));
    printf("  nlink %llu size %llu\n", (unsigned long long)fs.nlink, (unsigned long long)fs.size);
    show("path set_times", __wasi_path_filestat_set_times(root, 0, "hard", 0, 3000000000ull, __WASI_FSTFLAGS_MTIM));
    __wasi_path_filestat_get(root, 0, "hello", &fs);
    printf("  mtim via other link %llu\n", (unsigned long long)fs.mtim);
    show("link exists", __wasi_path_link(root, 0, "hello", root, "hard"));
    show("unlink hard", __wasi_path_unlink_file(root, "hard"));
    show("unlink lnk", __wasi_path_unlink_file(root, "lnk"));
    list(dfd);

    /* open errors */
    po(root, "missing", 1, 0, RIGHTS_R, 0, NULL);
    po(root, "", 1, 0, RIGHTS_R, 0, NULL);
    po(root, "hello", 1, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0, NULL);
    po(root, "hello", 1, __WASI_OFLAGS_DIRECTORY, RIGHTS_R, 0, NULL);
    po(root, "hello/", 1, 0, RIGHTS_R, 0, NULL);
    po(root, "hello/x", 1, 0, RIGHTS_R, 0, NULL);
    po(root, "sub", 1, 0, RIGHTS_RW, 0, NULL);
    po(root, "sub", 1, __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_CREAT, RIGHTS_RW, 0, NULL);
    po(root, "c.txt", 1, __WASI_OFLAGS_CREAT, RIGHTS_R, 0, NULL);
    po(root, "hello", 1, __WASI_OFLAGS_TRUNC, RIGHTS_R, 0, NULL);
    po(1, "hello", 1, 0, RIGHTS_R, 0, NULL);
    po(77, "hello", 1, 0, RIGHTS_R, 0, NULL);
    int file;
    po(root, "hello", 1, 0, RIGHTS_R, 0, &file);
    po(file, "x", 1, 0, RIGHTS_R, 0, NULL);
    show("read dir fd", __wasi_fd_read(root, &riov, 1, &n));
    show("seek dir fd", __wasi_fd_seek(root, 0, 0, &pos));
    show("sync dir fd", __wasi_fd_sync(root));
    show("readdir on file", __wasi_fd_readdir(file, (uint8_t *)buf, 10, 0, &n));
    show("filestat stdout", __wasi_fd_filestat_get(1, &fs));
    printf("  type %d size %llu\n", fs.filetype, (unsigned long long)fs.size);
    show("pwrite stdout", __wasi_fd_pwrite(1, &xyz, 1, 0, &n));
    show("sock_accept", __wasi_sock_accept(1, 0, (__wasi_fd_t *)&n));
    show("sock_shutdown bad", __wasi_sock_shutdown(88, __WASI_SDFLAGS_RD));
    /* subdirectory fd: paths relative to it */
    int sfd;
    po(root, "sub", 1, __WASI_OFLAGS_DIRECTORY, RIGHTS_R, 0, &sfd);
    po(sfd, "inner", 1, 0, RIGHTS_R, 0, NULL);
    return 0;
}
