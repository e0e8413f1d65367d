export type BodyResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/**
 * Reads a request body, refusing it as soon as it exceeds `maxBytes`: first from Content-Length,
 * then while streaming, so an oversized body is never buffered whole.
 */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null && (!/^\d{1,15}$/.test(declared) || Number(declared) > maxBytes)) {
    await request.body?.cancel();
    return {
      ok: false,
      reason: `body over ${maxBytes} bytes (Content-Length: ${declared.slice(0, 20)})`,
    };
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { ok: false, reason: `body over ${maxBytes} bytes` };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}
