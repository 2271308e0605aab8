#pragma once
// Ctrl-C (SIGINT) and SIGTERM ask the trainer to stop: the handler only records the signal, and
// the training loop checks it once per step, saves a checkpoint and exits. A second signal while
// the first is being handled ends the process at once (the default action), so a stuck save can
// still be interrupted.
namespace heed::train {

void install_stop_handlers();
int stop_requested();  // the signal number, or 0

}  // namespace heed::train
