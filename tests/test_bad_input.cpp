// The bad-input table: every wrong call throws its typed prospect::Error with a message
// naming what was wrong, and leaves the study exactly as it was (compared through the
// saved study file before and after).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "prospect/prospect.hpp"

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("prospect_bad_" + name)).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

prospect::Space small_space() {
  prospect::Space space;
  space.add_real("x", -1.0, 1.0);
  space.add_integer("n", 1, 4);
  space.add_categorical("c", {"a", "b"});
  return space;
}

// A study with complete, failed and pending trials.
prospect::Optimizer make_study() {
  prospect::Options o;
  o.seed = 4;
  o.n_initial = 5;
  o.inner.raw_samples = 64;
  o.inner.restarts = 2;
  prospect::Optimizer opt(small_space(), o);
  for (int i = 0; i < 6; ++i) {
    const auto t = opt.ask();
    opt.tell(t.id,
             t.params.real("x") * t.params.real("x") + static_cast<double>(t.params.integer("n")));
  }
  opt.tell_failed(opt.ask().id, "crashed");
  opt.ask();  // left pending: id 7
  return opt;
}

enum class Kind {
  invalid_argument,
  out_of_range,
  unknown_trial,
  invalid_state,
  invalid_options,
  study_file,
  io
};

struct Case {
  const char* name;
  Kind kind;
  const char* must_mention;  // a word the message must contain
  std::function<void(prospect::Optimizer&)> action;
};

void check_kind(Kind kind, const std::function<void()>& call) {
  switch (kind) {
    case Kind::invalid_argument:
      CHECK_THROWS_AS(call(), prospect::InvalidArgument);
      break;
    case Kind::out_of_range:
      CHECK_THROWS_AS(call(), prospect::OutOfRange);
      break;
    case Kind::unknown_trial:
      CHECK_THROWS_AS(call(), prospect::UnknownTrial);
      break;
    case Kind::invalid_state:
      CHECK_THROWS_AS(call(), prospect::InvalidState);
      break;
    case Kind::invalid_options:
      CHECK_THROWS_AS(call(), prospect::InvalidOptions);
      break;
    case Kind::study_file:
      CHECK_THROWS_AS(call(), prospect::StudyFileError);
      break;
    case Kind::io:
      CHECK_THROWS_AS(call(), prospect::IoError);
      break;
  }
}

}  // namespace

TEST_CASE("bad input on a study: typed error, informative message, study unchanged") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Case> cases = {
      {"unknown trial id", Kind::unknown_trial, "99", [](auto& o) { o.tell(99, 1.0); }},
      {"telling a trial twice", Kind::invalid_state, "complete", [](auto& o) { o.tell(0, 1.0); }},
      {"telling a failed trial", Kind::invalid_state, "failed", [](auto& o) { o.tell(6, 1.0); }},
      {"NaN objective", Kind::invalid_argument, "nan", [=](auto& o) { o.tell(7, nan); }},
      {"infinite objective", Kind::invalid_argument, "inf", [=](auto& o) { o.tell(7, inf); }},
      {"tell_failed of an unknown id", Kind::unknown_trial, "12",
       [](auto& o) { o.tell_failed(12, "x"); }},
      {"abandoning a complete trial", Kind::invalid_state, "complete",
       [](auto& o) { o.mark_abandoned(1); }},
      {"ask(0)", Kind::invalid_argument, "q", [](auto& o) { (void)o.ask(0); }},
      {"enqueue incomplete params", Kind::invalid_argument, "n",
       [](auto& o) {
         auto p = o.space().params();
         p.set("x", 0.5);
         o.enqueue(p);
       }},
      {"enqueue params of another space", Kind::invalid_argument, "space",
       [](auto& o) {
         prospect::Space other;
         other.add_real("y", 0.0, 1.0);
         auto p = other.params();
         p.set("y", 0.5);
         o.enqueue(p);
       }},
      {"save into a missing directory", Kind::io, "missing-dir",
       [](auto& o) { o.save(temp_path("missing-dir/sub/study.json")); }},
  };
  const std::string before_path = temp_path("before.json");
  const std::string after_path = temp_path("after.json");
  for (const auto& c : cases) {
    CAPTURE(c.name);
    prospect::Optimizer opt = make_study();
    opt.save(before_path);
    std::string message;
    check_kind(c.kind, [&] {
      try {
        c.action(opt);
      } catch (const prospect::Error& e) {
        message = e.what();
        throw;
      }
    });
    CAPTURE(message);
    CHECK(message.find(c.must_mention) != std::string::npos);
    opt.save(after_path);
    CHECK(slurp(before_path) == slurp(after_path));
  }
  std::filesystem::remove(before_path);
  std::filesystem::remove(after_path);
}

TEST_CASE("bad parameter access and values") {
  prospect::Space space = small_space();
  auto p = space.params();
  CHECK_THROWS_AS(p.set("x", 2.0), prospect::OutOfRange);
  CHECK_THROWS_AS(p.set("n", 9L), prospect::OutOfRange);
  CHECK_THROWS_AS(p.set("c", "z"), prospect::OutOfRange);
  CHECK_THROWS_AS(p.set("nope", 1.0), prospect::InvalidArgument);
  p.set("x", 0.5).set("n", 2L).set("c", "b");
  CHECK_THROWS_AS((void)p.real("n"), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)p.integer("x"), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)p.category("x"), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)p.real("missing"), prospect::InvalidArgument);
  try {
    (void)p.real("missing");
  } catch (const prospect::Error& e) {
    CHECK(std::string(e.what()).find("missing") != std::string::npos);
  }
}

TEST_CASE("impossible options and spaces are refused when the optimizer is built") {
  CHECK_THROWS_AS(prospect::Optimizer(prospect::Space{}), prospect::InvalidArgument);
  struct Bad {
    const char* field;
    std::function<void(prospect::Options&)> set;
  };
  std::vector<Bad> bad = {
      {"n_initial", [](auto& o) { o.n_initial = -1; }},
      {"refit_every", [](auto& o) { o.refit_every = 0; }},
      {"threads", [](auto& o) { o.threads = -2; }},
      {"raw_samples", [](auto& o) { o.inner.raw_samples = 0; }},
      {"restarts", [](auto& o) { o.inner.restarts = 0; }},
      {"beta", [](auto& o) { o.acquisition = prospect::acquisition::UCB{.beta = -1.0}; }},
      {"device_id", [](auto& o) { o.device.device_id = -1; }},
      {"surrogate", [](auto& o) { o.surrogate = std::shared_ptr<const prospect::Surrogate>(); }},
  };
  if (!prospect::cuda_device_info().available) {
    bad.push_back({"cuda", [](auto& o) { o.device = prospect::Device::cuda; }});
  }
  for (const auto& b : bad) {
    CAPTURE(b.field);
    prospect::Options o;
    b.set(o);
    CHECK_FALSE(o.validate().empty());
    std::string message;
    try {
      prospect::Optimizer opt(small_space(), o);
    } catch (const prospect::InvalidOptions& e) {
      message = e.what();
    }
    CHECK(message.find(b.field) != std::string::npos);
  }
  // validate() lists every problem at once.
  prospect::Options two;
  two.n_initial = -1;
  two.refit_every = 0;
  CHECK(two.validate().size() == 2);
}

TEST_CASE("corrupt, truncated, foreign and newer study files are refused") {
  const std::string good = temp_path("good.json");
  make_study().save(good);
  const std::string text = slurp(good);
  struct FileCase {
    const char* name;
    std::string content;
    const char* must_mention;
  };
  std::string newer = text;
  const auto at = newer.find("\"version\": 1");
  REQUIRE(at != std::string::npos);
  newer.replace(at, 12, "\"version\": 99");
  const std::vector<FileCase> files = {
      {"truncated", text.substr(0, text.size() / 2), "JSON"}, {"empty", "", "JSON"},
      {"foreign JSON", "{\"hello\": 1}", "prospect study"},   {"newer version", newer, "version"},
      {"not an object", "[1, 2, 3]", "prospect study"},
  };
  const std::string path = temp_path("corrupt.json");
  for (const auto& f : files) {
    CAPTURE(f.name);
    std::ofstream(path) << f.content;
    std::string message;
    try {
      (void)prospect::Optimizer::load(path);
    } catch (const prospect::StudyFileError& e) {
      message = e.what();
    }
    CAPTURE(message);
    CHECK(message.find(f.must_mention) != std::string::npos);
  }
  CHECK_THROWS_AS((void)prospect::Optimizer::load(temp_path("does-not-exist.json")),
                  prospect::StudyFileError);
  // A failed save (target is a directory) leaves the old file intact.
  const std::string dir = temp_path("a-directory");
  std::filesystem::create_directories(dir);
  CHECK_THROWS_AS(make_study().save(dir), prospect::IoError);
  CHECK(slurp(good) == text);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(good);
  std::filesystem::remove(path);
}
