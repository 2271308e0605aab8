// vit on the user's pictures in torchvision's ImageFolder layout: what a run stores, DIR/test,
// eval and predict with the folder gone, PNG and JPEG input, and every bad input named.
#include "files.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"

#include <doctest/doctest.h>

using namespace trainer_test;

namespace {

// A 16 x 16 picture: dark noise with a bright square, top left ("up") or bottom right ("down").
void write_picture(const std::filesystem::path& path, bool up, int seed) {
  std::vector<unsigned char> rgb(16 * 16 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<unsigned char>((i * 37 + static_cast<size_t>(seed) * 101) % 50);
  int from = up ? 1 : 8;
  for (int y = from; y < from + 6; ++y)
    for (int x = from; x < from + 6; ++x)
      for (int c = 0; c < 3; ++c) rgb[static_cast<size_t>((y * 16 + x) * 3 + c)] = 220;
  write_rgb_png(path, 16, 16, rgb);
}

// DIR/up and DIR/down with `count` pictures each.
void write_folder(const std::filesystem::path& directory, int count) {
  for (const char* label : {"up", "down"}) {
    std::filesystem::create_directories(directory / label);
    for (int i = 0; i < count; ++i) write_picture(directory / label / (std::to_string(i) + ".png"), label == std::string("up"), i);
  }
}

std::vector<std::string> folder_run(const std::string& data, std::vector<std::string> extra = {}) {
  std::vector<std::string> flags{"train", "--model", "vit", "--data", data, "--steps", "3", "--batch", "4", "--out", "run",
                                 "--config", R"({"image": 16, "patch": 4, "width": 16, "heads": 2, "layers": 1, "mlp": 32})",
                                 "--eval-batch", "8", "--log-every", "1"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

nlohmann::json stored_config(const TempDir& dir) {
  return nlohmann::json::parse(safetensors_header(dir / "run/model.safetensors")["__metadata__"]["config"].get<std::string>());
}

}  // namespace

TEST_CASE("vit trained on an image folder stores its class names; eval and predict work with the folder gone") {
  TempDir dir;
  write_folder(dir / "pictures", 10);
  std::filesystem::copy_file(HEED_TRAINER_FIXTURES "/bright-corner.jpg", dir / "pictures/down/jpeg.jpg");
  write_folder(dir / "other", 2);
  write_picture(dir / "mine.png", true, 99);
  Result trained = run(folder_run("pictures"), dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
  CHECK_MESSAGE(trained.err.find("decoding 19 pictures at 16 x 16, grey") != std::string::npos, trained.err);  // 21 less a tenth
  CHECK(stored_config(dir)["labels"] == nlohmann::json({"down", "up"}));
  CHECK(stored_config(dir)["classes"] == 2);
  std::filesystem::remove_all(dir / "pictures");

  Result predicted = run({"predict", "--checkpoint", "run", "--input", "mine.png", "--json", "--png", "seen.png"}, dir.path());
  REQUIRE_MESSAGE(predicted.status == 0, predicted.err);
  nlohmann::json prediction = nlohmann::json::parse(predicted.out);
  CHECK(prediction["probabilities"].size() == 2);
  CHECK(prediction["attention"].size() == 1);        // one map per layer
  CHECK(prediction["attention"][0].size() == 16);    // 4 x 4 patches
  CHECK(decode_png(dir / "seen.png").width > 0);

  Result jpeg = run({"predict", "--checkpoint", "run", "--input", HEED_TRAINER_FIXTURES "/bright-corner.jpg"}, dir.path());
  CHECK_MESSAGE(jpeg.status == 0, jpeg.err);

  Result measured = run({"eval", "--checkpoint", "run", "--data", "other", "--json"}, dir.path());
  REQUIRE_MESSAGE(measured.status == 0, measured.err);
  CHECK(nlohmann::json::parse(measured.out)["images"] == 4);

  Result faithful = run({"eval", "--checkpoint", "run", "--data", "other", "--faithfulness", "--json"}, dir.path());
  REQUIRE_MESSAGE(faithful.status == 0, faithful.err);
  for (const std::string removal : {"attention", "rollout", "grad-attention", "random"})
    CHECK(nlohmann::json::parse(faithful.out)["drop"][removal].size() == 3);  // k = 1, 4, 16 patches

  Result gone = run({"eval", "--checkpoint", "run"}, dir.path());
  CHECK(gone.status != 0);
  CHECK_MESSAGE(gone.err.find("eval --data DIR") != std::string::npos, gone.err);
}

TEST_CASE("an image folder's test subfolder holds its held-out pictures") {
  TempDir dir;
  write_folder(dir / "pictures", 6);
  write_folder(dir / "pictures/test", 3);
  Result trained = run(folder_run("pictures"), dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
  CHECK_MESSAGE(trained.err.find("decoding 12 pictures") != std::string::npos, trained.err);  // all of them: none held out
  Result evaluated = run({"eval", "--checkpoint", "run", "--json"}, dir.path());
  REQUIRE_MESSAGE(evaluated.status == 0, evaluated.err);
  CHECK(nlohmann::json::parse(evaluated.out)["images"] == 6);
}

TEST_CASE("a picture that does not decode is an error naming the file") {
  TempDir dir;
  write_folder(dir / "pictures", 4);
  write_file(dir / "pictures/up/broken.png", "not a picture");
  Result result = run(folder_run("pictures"), dir.path());
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find("pictures/up/broken.png: cannot decode this picture") != std::string::npos, result.err);
}

TEST_CASE("a class folder without pictures is an error naming it") {
  TempDir dir;
  write_folder(dir / "pictures", 4);
  std::filesystem::create_directories(dir / "pictures/sideways");
  Result result = run(folder_run("pictures"), dir.path());
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find("pictures/sideways: this class folder holds no PNG or JPEG pictures") != std::string::npos, result.err);
}
