// Backend for the FITS kvNamespace binding in bench/workerd.capnp: an empty KV namespace that
// accepts writes and forgets them. workerd turns KV calls into HTTP requests to this service.
// Single-key reads get 404 (= null). A bulk read (POST /bulk/get, used by the fit registry and
// the user-fit store) must get 200 with a key -> null map, as Miniflare's empty KV answers; a 404
// there makes kv.get([...]) throw "KV GET_BULK failed". A put (PUT /<key>, used when
// POST /api/v1/fits stores a fit) gets 200 and is discarded, so every identical POST fits again.
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/bulk/get") {
      const { keys } = await request.json();
      return Response.json(Object.fromEntries(keys.map((key) => [key, null])));
    }
    if (request.method === "PUT") {
      await request.arrayBuffer();
      return new Response(null, { status: 200 });
    }
    return new Response(null, { status: 404 });
  },
};
