// Preloaded into heed-bench by steady_state.py: counts the heap allocations made outside oneDNN
// and prints the count when the process ends. oneDNN 2.6 allocates inside its own execute (the
// argument maps of every primitive call); heed's own kernels must not allocate at all once a
// program is compiled. Not for sanitizer builds, whose allocator this would stand in front of.
#include <dlfcn.h>
#include <execinfo.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" void* __libc_malloc(size_t) noexcept;
extern "C" void* __libc_calloc(size_t, size_t) noexcept;
extern "C" void* __libc_realloc(void*, size_t) noexcept;
extern "C" void* __libc_memalign(size_t, size_t) noexcept;

namespace {

std::atomic<long> outside{0}, total{0};
thread_local bool counting = false;  // backtrace() may allocate the first time it runs

bool called_from_onednn() {
  void* frames[48];
  const int depth = backtrace(frames, 48);
  for (int i = 2; i < depth; ++i) {
    Dl_info info;
    if (dladdr(frames[i], &info) != 0 && info.dli_fname != nullptr && std::strstr(info.dli_fname, "libdnnl") != nullptr) return true;
  }
  return false;
}

void count() {
  ++total;
  if (counting) return;
  counting = true;
  if (!called_from_onednn()) ++outside;
  counting = false;
}

struct Report {
  Report() = default;
  Report(const Report&) = delete;
  Report& operator=(const Report&) = delete;
  ~Report() {
    char line[96];
    const int length = std::snprintf(line, sizeof line, "allocations outside oneDNN: %ld of %ld\n", outside.load(), total.load());
    if (length > 0 && write(2, line, static_cast<size_t>(length)) < 0) std::abort();
  }
} report;

}  // namespace

extern "C" {
void* malloc(size_t size) noexcept {
  count();
  return __libc_malloc(size);
}
void* calloc(size_t count_of, size_t size) noexcept {
  count();
  return __libc_calloc(count_of, size);
}
void* realloc(void* pointer, size_t size) noexcept {
  count();
  return __libc_realloc(pointer, size);
}
int posix_memalign(void** pointer, size_t alignment, size_t size) noexcept {
  count();
  *pointer = __libc_memalign(alignment, size);
  return *pointer != nullptr ? 0 : 12;  // ENOMEM
}
void* aligned_alloc(size_t alignment, size_t size) noexcept {
  count();
  return __libc_memalign(alignment, size);
}
}
