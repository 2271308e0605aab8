// pointer_sort: a model heed does not ship, trained, evaluated, resumed and inspected through
// heed-train's own command line. Run `pointer_sort --help`.
#include "pointer_sort.hpp"

#include <heed/train/command_line.hpp>

int main(int argc, char** argv) {
  heed::train::register_model(pointer_sort::registration());
  return heed::train::run_command_line(argc, argv);
}
