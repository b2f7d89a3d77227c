"""A Python command component that imports `example:poly/text`
(polyglot/text.wit, world command-consumer): c/consumer.c in Python, with
the same items, output and exit status, so that every composition prints
the same whatever the languages of its two sides."""
import sys

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import text
from wit_world.imports.text import Item, Problem_BadName, Problem_Empty, Problem_TooMany

RED_SWEET = ["red", "s\u00fc\u00df"]


def _items(mode: str) -> list[Item]:
    if mode == "empty":
        return []
    if mode == "bulk":
        return [Item(f"n{n}", n % 3, RED_SWEET if n % 2 else []) for n in range(500)]
    items = [Item("apple", 3, RED_SWEET), Item("gr\u00fc\u00dfe", 1, []), Item("\u65e5\u672c", 12, ["\u20acuro"])]
    if mode == "bad":
        items[1].name = "two words"
    if mode == "many":
        items[2].count = 4000000000
    return items


def _problem(p: object) -> str:
    if isinstance(p, Problem_Empty):
        return "empty"
    if isinstance(p, Problem_BadName):
        return f"bad-name({p.value})"
    assert isinstance(p, Problem_TooMany), p
    return f"too-many({p.value})"


def _main(args: list[str]) -> int:
    mode = args[0] if args else ""
    try:
        print("render ok:", text.render("list \u2713", _items(mode)))
        failed = False
    except Err as e:
        print("render err:", _problem(e.value))
        failed = True
    words = text.split_words("".join(a + "  " for a in args[1:]))
    print(f"{len(words)} words:", *(f"[{w}]" for w in words))
    sys.stderr.write(f"consumer done: {'err' if failed else 'ok'}\n")
    return 2 if failed else 0


class Run(exports.Run):
    def run(self) -> None:
        status = _main(sys.argv[1:])
        sys.stdout.flush()
        if status:
            sys.exit(status)
