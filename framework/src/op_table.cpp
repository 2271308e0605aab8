#include "ops/vjp.hpp"

#include <heed/backend/op_codes.hpp>

#include <array>

namespace heed {

namespace {

constexpr int none = HEED_OP_NO_CODE;
constexpr bool effect = true;

// One row per op, in the order of the Op enum (checked below).
struct Row {
  Op op;
  OpInfo info;
};
constexpr std::array<Row, op_count> table{{
    {Op::Parameter, {"parameter", nullptr, none, false}},
    {Op::State, {"state", nullptr, none, false}},
    {Op::Input, {"input", nullptr, none, false}},
    {Op::Constant, {"constant", nullptr, none, false}},
    {Op::Full, {"full", nullptr, none, false}},
    {Op::Arange, {"arange", nullptr, none, false}},
    {Op::RandomUniform, {"random_uniform", nullptr, none, false}},
    {Op::RandomNormal, {"random_normal", nullptr, none, false}},
    {Op::RandomGumbel, {"random_gumbel", nullptr, none, false}},
    {Op::Neg, {"neg", vjp::neg, HEED_OP_NEG, false}},
    {Op::Exp, {"exp", vjp::exp, HEED_OP_EXP, false}},
    {Op::Log, {"log", vjp::log, HEED_OP_LOG, false}},
    {Op::Sqrt, {"sqrt", vjp::sqrt, HEED_OP_SQRT, false}},
    {Op::Rsqrt, {"rsqrt", vjp::rsqrt, HEED_OP_RSQRT, false}},
    {Op::Tanh, {"tanh", vjp::tanh, HEED_OP_TANH, false}},
    {Op::Sigmoid, {"sigmoid", vjp::sigmoid, HEED_OP_SIGMOID, false}},
    {Op::Relu, {"relu", vjp::relu, HEED_OP_RELU, false}},
    {Op::Gelu, {"gelu", vjp::gelu, HEED_OP_GELU, false}},
    {Op::Cast, {"cast", vjp::cast, none, false}},
    {Op::Add, {"add", vjp::add, HEED_OP_ADD, false}},
    {Op::Sub, {"sub", vjp::sub, HEED_OP_SUB, false}},
    {Op::Mul, {"mul", vjp::mul, HEED_OP_MUL, false}},
    {Op::Div, {"div", vjp::div, HEED_OP_DIV, false}},
    {Op::Pow, {"pow", vjp::pow, HEED_OP_POW, false}},
    {Op::Equal, {"equal", nullptr, HEED_OP_EQUAL, false}},
    {Op::NotEqual, {"not_equal", nullptr, HEED_OP_NOT_EQUAL, false}},
    {Op::Less, {"less", nullptr, HEED_OP_LESS, false}},
    {Op::LessEqual, {"less_equal", nullptr, HEED_OP_LESS_EQUAL, false}},
    {Op::Greater, {"greater", nullptr, HEED_OP_GREATER, false}},
    {Op::GreaterEqual, {"greater_equal", nullptr, HEED_OP_GREATER_EQUAL, false}},
    {Op::Where, {"where", vjp::where, HEED_OP_WHERE, false}},
    {Op::Sum, {"sum", vjp::sum, none, false}},
    {Op::Max, {"max", vjp::max, none, false}},
    {Op::Argmax, {"argmax", nullptr, none, false}},
    {Op::Reshape, {"reshape", vjp::reshape, none, false}},
    {Op::Permute, {"permute", vjp::permute, none, false}},
    {Op::Slice, {"slice", nullptr, none, false}},  // differentiable: autodiff joins all slices of a tensor at once
    {Op::Concat, {"concat", vjp::concat, none, false}},
    {Op::Broadcast, {"broadcast", vjp::broadcast, none, false}},
    {Op::StopGradient, {"stop_gradient", nullptr, none, false}},
    {Op::Matmul, {"matmul", vjp::matmul, none, false}},
    {Op::Softmax, {"softmax", vjp::softmax, none, false}},
    {Op::LogSoftmax, {"log_softmax", vjp::log_softmax, none, false}},
    {Op::LayerNorm, {"layer_norm", vjp::layer_norm, none, false}},
    {Op::Embedding, {"embedding", vjp::embedding, none, false}},
    {Op::CrossEntropy, {"cross_entropy", vjp::cross_entropy, none, false}},
    {Op::Attention, {"attention", vjp::attention, none, false}},
    {Op::AttentionStatistics, {"attention_statistics", nullptr, none, false}},
    {Op::SoftmaxBackward, {"softmax_backward", nullptr, none, false}},
    {Op::LogSoftmaxBackward, {"log_softmax_backward", nullptr, none, false}},
    {Op::LayerNormBackward, {"layer_norm_backward", nullptr, none, false}},
    {Op::EmbeddingBackward, {"embedding_backward", nullptr, none, false}},
    {Op::CrossEntropyBackward, {"cross_entropy_backward", nullptr, none, false}},
    {Op::GeluBackward, {"gelu_backward", nullptr, HEED_OP_GELU_BACKWARD, false}},
    {Op::AttentionBackward, {"attention_backward", nullptr, none, false}},
    {Op::AllReduce, {"all_reduce", vjp::all_reduce, none, false}},
    {Op::SgdUpdate, {"sgd_update", nullptr, none, effect}},
    {Op::AdamWUpdate, {"adamw_update", nullptr, none, effect}},
    {Op::Assign, {"assign", nullptr, none, effect}},
}};

constexpr bool table_in_enum_order() {
  for (size_t i = 0; i < table.size(); ++i)
    if (static_cast<size_t>(table[i].op) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "op_table rows must follow the order of heed::Op");

}  // namespace

const OpInfo& op_info(Op op) { return table.at(static_cast<size_t>(op)).info; }
std::string_view op_name(Op op) { return op_info(op).name; }
bool is_effect(Op op) { return op_info(op).effect; }
bool is_persistent(Op op) { return op == Op::Parameter || op == Op::State; }

}  // namespace heed
