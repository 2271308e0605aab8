#include <heed/models/reference_models.hpp>

namespace heed::models {

void register_reference_models() {
  for (auto registration : {seq2seq_registration, charlm_registration, vit_registration, classify_registration}) {
    train::ModelRegistration model = registration();
    bool known = false;
    for (const train::ModelRegistration* registered : train::registered_models()) known |= registered->name == model.name;
    if (!known) train::register_model(std::move(model));
  }
}

}  // namespace heed::models
