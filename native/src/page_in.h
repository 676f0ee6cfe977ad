// Pages in large fresh buffers ahead of their first write, on a thread of its own (page_in.cc).
#pragma once
#include <napi.h>

#include <cstddef>

namespace mlxnuts {

void registerPageIn(Napi::Env env, Napi::Object exports);

/**
 * Before a native write into [p, p + bytes): waits until pageIn's threads are done with every array that overlaps it
 * (they write zeros into those pages). Called on the JavaScript thread, as pageIn is.
 */
void awaitPageIn(const void* p, size_t bytes);

}  // namespace mlxnuts
