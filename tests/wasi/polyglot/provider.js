// The JavaScript provider of `example:poly/text` (polyglot/text.wit, world
// provider), built with componentize-js.  polyglot/py_provider/ is the same
// in Python: both must answer a consumer identically, character for
// character.  An err result is thrown (componentize-js lowers the thrown
// value, or its `payload`, as the err case).

function problem(items) {
  if (items.length === 0) return { tag: "empty" };
  for (const item of items) {
    if (item.name === "" || item.name.includes(" ")) return { tag: "bad-name", val: item.name };
  }
  const total = items.reduce((sum, item) => sum + item.count, 0);
  if (total > 1000000) return { tag: "too-many", val: total % 2 ** 32 };
  return null;
}

function describe(item) {
  const tags = item.tags.length ? "[" + item.tags.join(",") + "]" : "";
  return item.name + "x" + item.count + tags;
}

export const text = {
  render(title, items) {
    const err = problem(items);
    if (err !== null) throw err;
    const total = items.reduce((sum, item) => sum + item.count, 0);
    return title + ": " + items.map(describe).join("; ") + " (total " + total + ", " + items.length + " items)";
  },
  splitWords(s) {
    return s.split(" ").filter((w) => w !== "");
  },
};
