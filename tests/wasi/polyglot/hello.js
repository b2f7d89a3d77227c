// A wasi:cli/command component's JavaScript side (componentize-js): the
// wasi:cli/run export echoes its arguments, environment and stdin and
// ends as the first argument says (normal, `fail`: exit(err), `throw`: an
// uncaught exception), for a differential test against `wasmtime run`.
import { getArguments, getEnvironment } from "wasi:cli/environment@0.2.12";
import { exit } from "wasi:cli/exit@0.2.12";
import { getStdin } from "wasi:cli/stdin@0.2.12";

function readStdin() {
  const stream = getStdin();
  let total = 0;
  for (;;) {
    let chunk;
    try {
      chunk = stream.blockingRead(65536n);
    } catch (e) {
      break; // closed
    }
    total += chunk.length;
  }
  return total;
}

export const run = {
  run() {
    const args = getArguments().slice(1);
    console.log("args " + JSON.stringify(args));
    console.log("env " + JSON.stringify(getEnvironment().map(([k, v]) => k + "=" + v).sort()));
    console.log("stdin " + readStdin());
    console.error("stderr line");
    if (args[0] === "compute") {
      let s = 0;
      for (let i = 0; i < 100000; i++) s += i * i;
      console.log("sum " + s + " " + JSON.stringify([..."polyglot"].sort()));
    }
    if (args[0] === "fail") exit({ tag: "err" });
    if (args[0] === "throw") throw new Error("thrown on purpose");
  },
};
