// Program: run() checks what it is fed, read() and write() check what they are asked for, and
// compile() refuses a graph with nothing to do. Each mistake is a heed::Error naming the tensor.
#include "program_checks.hpp"
#include "../support/backends.hpp"
#include "../support/compare.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <functional>
#include <string>

namespace heed::test {
namespace {

struct Fixture {
  Graph g;
  Tensor x = g.input("x", {2, 3}), n = g.input("n", {3}, i32);
  Tensor w = g.parameter("w", HostTensor({3}, std::vector<float>{1, 2, 3}));
  Tensor hidden = exp(x);
  Tensor y = hidden * w + cast(n, f32);
  Fixture() { g.output(y); }
};

const std::vector<float> six{1, 2, 3, 4, 5, 6};
const std::vector<int32_t> three{1, 2, 3};

TEST_CASE("run() with an input missing throws, naming the input") {
  on_every_backend([](Backend& backend) {
    Fixture f;
    Program program = backend.compile(f.g);
    check_message([&] { program.run({{f.x, six}}); }, {"'n'", "not fed"});
  });
}

TEST_CASE("run() with an input of the wrong size or dtype throws, naming the input and what it got") {
  on_every_backend([](Backend& backend) {
    Fixture f;
    Program program = backend.compile(f.g);
    const std::vector<float> five{1, 2, 3, 4, 5};
    check_message([&] { program.run({{f.x, five}, {f.n, three}}); }, {"'x'", "[2, 3]", "5"});
    const std::vector<int32_t> six_ints{1, 2, 3, 4, 5, 6};
    check_message([&] { program.run({{f.x, six_ints}, {f.n, three}}); }, {"'x'", "i32"});
  });
}

TEST_CASE("run() refuses a tensor that is not an input, one fed twice, and one of another graph") {
  on_every_backend([](Backend& backend) {
    Fixture f;
    Program program = backend.compile(f.g);
    const std::vector<float> values{1, 2, 3};
    check_message([&] { program.run({{f.x, six}, {f.n, three}, {f.w, values}}); }, {"'w'", "not an input"});
    check_message([&] { program.run({{f.x, six}, {f.n, three}, {f.n, three}}); }, {"'n'", "more than once"});
    Graph other;
    Tensor stranger = other.input("x", {2, 3});
    check_message([&] { program.run({{stranger, six}, {f.n, three}}); }, {"does not belong"});
  });
}

TEST_CASE("a program fed correctly computes, and a parameter written from the host is used") {
  on_every_backend([](Backend& backend) {
    Fixture f;
    Program program = backend.compile(f.g);
    program.run({{f.x, six}, {f.n, three}});
    std::vector<double> got = to_doubles(program.read(f.y));
    REQUIRE(got.size() == 6);
    CHECK(got[0] == doctest::Approx(std::exp(1.0) * 1 + 1).epsilon(1e-6));
    CHECK(got[5] == doctest::Approx(std::exp(6.0) * 3 + 3).epsilon(1e-6));
    const std::vector<float> doubled{2, 4, 6};
    program.write(f.w, doubled);
    CHECK(to_doubles(program.read(f.w)) == std::vector<double>{2, 4, 6});
    program.run({{f.x, six}, {f.n, three}});
    CHECK(to_doubles(program.read(f.y))[5] == doctest::Approx(std::exp(6.0) * 6 + 3).epsilon(1e-6));
  });
}

TEST_CASE("read() of an intermediate that is not an output and write() of a non-persistent value throw") {
  on_every_backend([](Backend& backend) {
    Fixture f;
    Program program = backend.compile(f.g);
    program.run({{f.x, six}, {f.n, three}});
    check_message([&] { program.read(f.hidden); }, {"exp", "output"});
    check_message([&] { program.write(f.x, six); }, {"'x'", "not a parameter or state"});
    const std::vector<float> two{1, 2};
    check_message([&] { program.write(f.w, two); }, {"'w'", "2"});
  });
}

TEST_CASE("compiling a graph with no outputs and no effects throws") {
  on_every_backend([](Backend& backend) {
    Graph g;
    exp(g.input("x", {3}));
    check_message([&] { backend.compile(g); }, {"no outputs"});
  });
}

}  // namespace
}  // namespace heed::test
