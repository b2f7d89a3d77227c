"""A wasi:cli/command component's Python side (componentize-py): the
`wasi:cli/run` export echoes what the command line, the environment,
stdin and a preopened directory gave it, so a differential test can
compare every channel with `wasmtime run`.  The first argument picks an
ending: normal, `exit N` (sys.exit), `raise` (an uncaught exception:
traceback on stderr), `write` (a file in /data)."""
import os
import sys

from wit_world import exports


def _report() -> None:
    print("args", sys.argv[1:])
    print("env", sorted(f"{k}={v}" for k, v in os.environ.items()))
    data = sys.stdin.buffer.read()
    print("stdin", len(data), data[:40])
    sys.stderr.write("stderr line\n")


def _act(args: list[str]) -> None:
    what = args[0] if args else ""
    if what == "exit":
        sys.exit(int(args[1]))
    if what == "raise":
        raise ValueError("raised on purpose")
    if what == "write":
        with open("/data/out.txt", "w") as f:
            f.write("written by python\n")
        print("listing", sorted(os.listdir("/data")))
    if what == "compute":
        print("sum", sum(i * i for i in range(100000)), "sorted", sorted("polyglot"))


class Run(exports.Run):
    def run(self) -> None:
        _report()
        _act(sys.argv[1:])
        sys.stdout.flush()
