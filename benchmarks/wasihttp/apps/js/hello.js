// The JavaScript wasi:http proxy (componentize-js, fetch-event handler):
// the routes of the C proxy (../c/proxy.c) that a fetch handler can express.
addEventListener("fetch", (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  const url = new URL(request.url);
  const path = url.pathname;
  if (request.method === "GET" && path === "/") {
    return new Response("hello from JS\n", {
      headers: { "content-type": "text/plain; charset=utf-8", "x-hello": "js" },
    });
  }
  if (request.method === "POST" && path === "/echo") {
    const body = new Uint8Array(await request.arrayBuffer());
    return new Response(body, {
      headers: { "content-type": "application/octet-stream", "content-length": String(body.length) },
    });
  }
  if (path === "/headers") {
    const values = request.headers.get("x-echo") || "";
    return new Response(`x-echo: ${values}\n`, {
      headers: { "content-type": "text/plain; charset=utf-8", "x-echo": values },
    });
  }
  if (path === "/stream") {
    let i = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (i < 5) controller.enqueue(new TextEncoder().encode(`chunk ${i++}\n`));
        else controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  if (path === "/trap") {
    throw new Error("trap requested");
  }
  return new Response("not found\n", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
