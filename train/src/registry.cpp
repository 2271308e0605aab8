// The model registry: one of the registries the design allows as global state. Registrations
// live in a deque so that references handed out stay valid as more models register.
#include <heed/train/registry.hpp>

#include <heed/error.hpp>

#include <deque>
#include <mutex>

namespace heed::train {

namespace {

struct Registry {
  std::mutex mutex;
  std::deque<ModelRegistration> models;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_model(ModelRegistration registration) {
  if (registration.name.empty()) fail("register_model: a model needs a name");
  if (!registration.build || !registration.make_task)
    fail("register_model: model '{}' needs both its graph builder (build) and its task (make_task)", registration.name);
  if (registration.defaults.batch <= 0 || registration.defaults.eval_batch <= 0 || registration.defaults.lr <= 0 ||
      (registration.defaults.steps <= 0 && registration.defaults.epochs <= 0))
    fail("register_model: model '{}' needs positive default batch, eval_batch, lr and steps (or epochs)", registration.name);
  Registry& models = registry();
  std::lock_guard lock(models.mutex);
  for (const ModelRegistration& known : models.models)
    if (known.name == registration.name) fail("register_model: a model called '{}' is already registered", registration.name);
  models.models.push_back(std::move(registration));
}

std::vector<const ModelRegistration*> registered_models() {
  Registry& models = registry();
  std::lock_guard lock(models.mutex);
  std::vector<const ModelRegistration*> result;
  for (const ModelRegistration& model : models.models) result.push_back(&model);
  return result;
}

std::string model_names() {
  std::string names;
  for (const ModelRegistration* model : registered_models()) names += (names.empty() ? "" : ", ") + model->name;
  return names.empty() ? std::string("none (no model is registered)") : names;
}

const ModelRegistration& find_model(std::string_view name) {
  for (const ModelRegistration* model : registered_models())
    if (model->name == name) return *model;
  fail("unknown model '{}'; the models are {}", name, model_names());
}

std::unique_ptr<Task> make_task(std::string_view model, TaskOptions options) {
  return find_model(model).make_task(std::move(options));
}

}  // namespace heed::train
