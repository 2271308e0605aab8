#include <heed/train/job.hpp>

#include <heed/error.hpp>
#include <heed/graph.hpp>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace heed::train {

namespace {

constexpr uint64_t fnv_offset = 14695981039346656037ull, fnv_prime = 1099511628211ull;

uint64_t mix(uint64_t hash, const void* bytes, size_t length) {
  const auto* data = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < length; ++i) hash = (hash ^ data[i]) * fnv_prime;
  return hash;
}

}  // namespace

Job Job::detect() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (!size || !*size) return Job();
  try {
    return Job(join_job("mpi"));
  } catch (const Error& error) {
    fail("this process was started by mpirun (OMPI_COMM_WORLD_SIZE={}), but cannot join its job: {}", size, error.what());
  }
}

std::string Job::where() const { return communicator_ ? fmt::format(" (rank {} of {})", rank(), size()) : std::string(); }

std::string Job::share_text(std::string text) const {
  if (size() == 1) return text;
  uint64_t length = text.size();
  communicator_->broadcast({reinterpret_cast<std::byte*>(&length), sizeof length}, 0);
  text.resize(length);
  communicator_->broadcast(std::as_writable_bytes(std::span(text.data(), text.size())), 0);
  return text;
}

void Job::share_values(Program& program, Graph& graph) const {
  if (size() == 1) return;
  for (const Tensor& value : graph.persistent_values()) {
    HostTensor values = program.read(value);
    communicator_->broadcast({static_cast<std::byte*>(values.data()), static_cast<size_t>(values.bytes())}, 0);
    if (!leads()) program.write(value, values);
  }
}

void Job::check_agreement(uint64_t fingerprint, std::string_view what) const {
  if (size() == 1) return;
  uint64_t leader = fingerprint;
  communicator_->broadcast({reinterpret_cast<std::byte*>(&leader), sizeof leader}, 0);
  // Every rank learns which ranks differ, so that every rank fails, and none waits for the others.
  std::vector<float> differs(static_cast<size_t>(size()), 0.0f);
  differs[static_cast<size_t>(rank())] = leader == fingerprint ? 0.0f : 1.0f;
  communicator_->all_reduce_sum(differs);
  std::vector<int> ranks;
  for (int r = 0; r < size(); ++r)
    if (differs[static_cast<size_t>(r)] != 0) ranks.push_back(r);
  if (!ranks.empty())
    fail("rank{} {} of this job {} a different {} from rank 0's; every rank must run the same heed, flags and data", ranks.size() > 1 ? "s" : "",
         fmt::join(ranks, ", "), ranks.size() > 1 ? "have" : "has", what);
}

int Job::agree_on_stop(int signal) const {
  if (size() == 1) return signal;
  std::vector<float> signals(static_cast<size_t>(size()), 0.0f);
  signals[static_cast<size_t>(rank())] = static_cast<float>(signal);
  communicator_->all_reduce_sum(signals);
  for (float received : signals)
    if (received != 0) return static_cast<int>(received);
  return 0;
}

void Job::abort(std::string_view reason) const {
  if (communicator_ && size() > 1) communicator_->abort(reason);
}

uint64_t fingerprint(std::string_view text) { return mix(fnv_offset, text.data(), text.size()); }

uint64_t fingerprint(Program& program, Graph& graph) {
  uint64_t hash = fnv_offset;
  for (NodeId id = 0; id < graph.size(); ++id) {
    std::string node = describe_node(graph, graph.node(id));
    hash = mix(hash, node.data(), node.size());
  }
  for (const Tensor& value : graph.persistent_values()) {
    HostTensor values = program.read(value);
    hash = mix(hash, values.data(), static_cast<size_t>(values.bytes()));
  }
  return hash;
}

}  // namespace heed::train
