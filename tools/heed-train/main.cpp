// heed-train: the trainer users run, for the reference models. Everything it does is the
// training library's command line (heed/train/command_line.hpp); this file only registers the
// models it knows.
#include <heed/models/reference_models.hpp>
#include <heed/train/command_line.hpp>

int main(int argc, char** argv) {
  heed::models::register_reference_models();
  return heed::train::run_command_line(argc, argv);
}
