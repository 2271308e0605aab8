#include "task.hpp"

#include "model_defaults.hpp"

namespace heed::trainer {

std::unique_ptr<Task> make_task(std::string_view model, TaskOptions options) {
  model_defaults(model);  // an unknown model fails here, listing the models
  if (model == "seq2seq") return make_dates_task(std::move(options));
  if (model == "charlm") return make_text_task(std::move(options));
  return make_fashion_task(std::move(options));
}

}  // namespace heed::trainer
