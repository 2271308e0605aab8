#include "ops/vjp.hpp"

#include <array>

namespace heed {

namespace {

constexpr OpKind leaf = OpKind::Leaf, creation = OpKind::Creation, random = OpKind::Random, unary = OpKind::Unary,
                 binary = OpKind::Binary, reduction = OpKind::Reduction, shape = OpKind::Shape,
                 linear = OpKind::Linear, nn = OpKind::NN, backward = OpKind::Backward, effect = OpKind::Effect;

// One row per op, in the order of the Op enum (checked below).
struct Row {
  Op op;
  OpInfo info;
};
constexpr std::array<Row, op_count> table{{
    {Op::Parameter, {"parameter", leaf, nullptr}},
    {Op::State, {"state", leaf, nullptr}},
    {Op::Input, {"input", leaf, nullptr}},
    {Op::Constant, {"constant", leaf, nullptr}},
    {Op::Full, {"full", creation, nullptr}},
    {Op::Arange, {"arange", creation, nullptr}},
    {Op::RandomUniform, {"random_uniform", random, nullptr}},
    {Op::RandomNormal, {"random_normal", random, nullptr}},
    {Op::RandomGumbel, {"random_gumbel", random, nullptr}},
    {Op::Neg, {"neg", unary, vjp::neg}},
    {Op::Exp, {"exp", unary, vjp::exp}},
    {Op::Log, {"log", unary, vjp::log}},
    {Op::Sqrt, {"sqrt", unary, vjp::sqrt}},
    {Op::Rsqrt, {"rsqrt", unary, vjp::rsqrt}},
    {Op::Tanh, {"tanh", unary, vjp::tanh}},
    {Op::Sigmoid, {"sigmoid", unary, vjp::sigmoid}},
    {Op::Relu, {"relu", unary, vjp::relu}},
    {Op::Gelu, {"gelu", unary, vjp::gelu}},
    {Op::Cast, {"cast", unary, nullptr}},
    {Op::Add, {"add", binary, vjp::add}},
    {Op::Sub, {"sub", binary, vjp::sub}},
    {Op::Mul, {"mul", binary, vjp::mul}},
    {Op::Div, {"div", binary, vjp::div}},
    {Op::Pow, {"pow", binary, vjp::pow}},
    {Op::Equal, {"equal", binary, nullptr}},
    {Op::NotEqual, {"not_equal", binary, nullptr}},
    {Op::Less, {"less", binary, nullptr}},
    {Op::LessEqual, {"less_equal", binary, nullptr}},
    {Op::Greater, {"greater", binary, nullptr}},
    {Op::GreaterEqual, {"greater_equal", binary, nullptr}},
    {Op::Where, {"where", binary, vjp::where}},
    {Op::Sum, {"sum", reduction, vjp::sum}},
    {Op::Max, {"max", reduction, vjp::max}},
    {Op::Argmax, {"argmax", reduction, nullptr}},
    {Op::Reshape, {"reshape", shape, vjp::reshape}},
    {Op::Permute, {"permute", shape, vjp::permute}},
    {Op::Slice, {"slice", shape, vjp::slice}},
    {Op::Concat, {"concat", shape, vjp::concat}},
    {Op::Broadcast, {"broadcast", shape, vjp::broadcast}},
    {Op::StopGradient, {"stop_gradient", shape, nullptr}},
    {Op::Matmul, {"matmul", linear, vjp::matmul}},
    {Op::Softmax, {"softmax", nn, vjp::softmax}},
    {Op::LogSoftmax, {"log_softmax", nn, vjp::log_softmax}},
    {Op::LayerNorm, {"layer_norm", nn, vjp::layer_norm}},
    {Op::Embedding, {"embedding", nn, vjp::embedding}},
    {Op::CrossEntropy, {"cross_entropy", nn, vjp::cross_entropy}},
    {Op::Attention, {"attention", nn, vjp::attention}},
    {Op::SoftmaxBackward, {"softmax_backward", backward, nullptr}},
    {Op::LogSoftmaxBackward, {"log_softmax_backward", backward, nullptr}},
    {Op::LayerNormBackward, {"layer_norm_backward", backward, nullptr}},
    {Op::EmbeddingBackward, {"embedding_backward", backward, nullptr}},
    {Op::CrossEntropyBackward, {"cross_entropy_backward", backward, nullptr}},
    {Op::GeluBackward, {"gelu_backward", backward, nullptr}},
    {Op::AttentionBackward, {"attention_backward", backward, nullptr}},
    {Op::SgdUpdate, {"sgd_update", effect, nullptr}},
    {Op::AdamWUpdate, {"adamw_update", effect, nullptr}},
    {Op::Assign, {"assign", effect, nullptr}},
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
bool is_effect(Op op) { return op_info(op).kind == OpKind::Effect; }
bool is_persistent(Op op) { return op == Op::Parameter || op == Op::State; }

}  // namespace heed
