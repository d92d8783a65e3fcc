// Tests of atomic file writing, reading, and the JSON forms of Space, Params and Trial.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "prospect/errors.hpp"
#include "prospect/space.hpp"
#include "prospect/storage.hpp"
#include "prospect/trial.hpp"
#include "src/json_io.hpp"

namespace fs = std::filesystem;
using prospect::detail::Json;

namespace {

// A fresh empty directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "prospect_storage_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  [[nodiscard]] std::size_t entries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(path)) ++n;
    return n;
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

prospect::Space sample_space() {
  prospect::Space s;
  s.add_real("x", -5.0, 10.0)
      .add_real("lr", 1e-5, 1e-1, prospect::Scale::log)
      .add_integer("layers", 1, 8)
      .add_integer("batch", 16, 1024, prospect::Scale::log)
      .add_categorical("activation", {"relu", "tanh", "gelu"});
  return s;
}

prospect::Params sample_params(const prospect::Space& s) {
  prospect::Params p = s.params();
  // 0.1 + 0.2 has no short decimal form: checks the exact round trip of doubles.
  p.set("x", 0.1 + 0.2)
      .set("lr", 3.3e-4)
      .set("layers", 5)
      .set("batch", 128)
      .set("activation", "tanh");
  return p;
}

}  // namespace

TEST_CASE("storage: write then read, overwrite keeps only the new content") {
  TempDir dir;
  const std::string file = (dir.path / "study.json").string();
  std::string binary("a\0b\nc", 5);
  prospect::write_file_atomically(file, binary);
  CHECK(prospect::read_file(file) == binary);
  prospect::write_file_atomically(file, "short");
  CHECK(prospect::read_file(file) == "short");
  const std::string large(3'000'000, 'z');
  prospect::write_file_atomically(file, large);
  CHECK(prospect::read_file(file) == large);
  prospect::write_file_atomically(file, "");
  CHECK(prospect::read_file(file).empty());
  CHECK(dir.entries() == 1);  // no temporary left behind
}

TEST_CASE("storage: the replaced file keeps its permissions") {
  TempDir dir;
  const std::string file = (dir.path / "f").string();
  prospect::write_file_atomically(file, "one");
  REQUIRE(::chmod(file.c_str(), 0640) == 0);
  prospect::write_file_atomically(file, "two");
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0640);
}

TEST_CASE("storage: writing into a missing directory throws IoError and leaves nothing") {
  TempDir dir;
  const std::string file = (dir.path / "missing" / "study.json").string();
  try {
    prospect::write_file_atomically(file, "content");
    FAIL("expected IoError");
  } catch (const prospect::IoError& e) {
    CHECK(contains(e.what(), file));
    CHECK(contains(e.what(), "No such file or directory"));
  }
  CHECK(dir.entries() == 0);
  CHECK_THROWS_AS(prospect::write_file_atomically("", "x"), prospect::IoError);
}

TEST_CASE("storage: a failed write leaves the old file and no temporary") {
  TempDir dir;
  // The target is a non-empty directory: rename must fail after the temporary was written.
  const fs::path target = dir.path / "target";
  fs::create_directory(target);
  {
    std::ofstream inside(target / "old");
    inside << "old content";
  }
  try {
    prospect::write_file_atomically(target.string(), "new content");
    FAIL("expected IoError");
  } catch (const prospect::IoError& e) {
    CHECK(contains(e.what(), target.string()));
  }
  CHECK(fs::is_directory(target));
  CHECK(prospect::read_file((target / "old").string()) == "old content");
  CHECK(dir.entries() == 1);  // only "target": the temporary was removed
}

TEST_CASE("storage: read_file of a missing file or a directory throws IoError") {
  TempDir dir;
  const std::string missing = (dir.path / "none.json").string();
  try {
    (void)prospect::read_file(missing);
    FAIL("expected IoError");
  } catch (const prospect::IoError& e) {
    CHECK(contains(e.what(), missing));
  }
  CHECK_THROWS_AS((void)prospect::read_file(dir.path.string()), prospect::IoError);
}

TEST_CASE("json: Space, Params and Trial round trip exactly") {
  const prospect::Space s = sample_space();
  const Json js = prospect::detail::space_to_json(s);
  // Through text, as a study file would go.
  const prospect::Space s2 = prospect::detail::space_from_json(Json::parse(js.dump()), "/space");
  CHECK(s2 == s);
  CHECK(prospect::detail::to_json(s) == js);
  CHECK(prospect::detail::space_from_json(js) == s);  // the path defaults to the root
  CHECK(js["parameters"][2]["lower"].is_number_integer());
  CHECK(js["parameters"][4]["categories"] == Json({"relu", "tanh", "gelu"}));

  const prospect::Params p = sample_params(s);
  const Json jp = prospect::detail::params_to_json(p);
  CHECK(jp["layers"].is_number_integer());
  CHECK(jp["activation"] == "tanh");
  const prospect::Params p2 =
      prospect::detail::params_from_json(Json::parse(jp.dump()), s2, "/params");
  CHECK(p2 == p);
  CHECK(p2.real("x") == 0.1 + 0.2);

  prospect::Trial t;
  t.id = 42;
  t.params = p;
  t.status = prospect::TrialStatus::complete;
  t.value = -1.0 / 3.0;
  t.intermediate = {{1, 0.5}, {2, 0.25}, {3, std::numeric_limits<double>::infinity()}};
  const Json jt = prospect::detail::trial_to_json(t);
  const prospect::Trial t2 =
      prospect::detail::trial_from_json(Json::parse(jt.dump()), s2, "/trials/0");
  CHECK(t2 == t);

  prospect::Trial failed;
  failed.id = 7;
  failed.params = p;
  failed.status = prospect::TrialStatus::failed;
  failed.message = "solver diverged";
  const Json jf = prospect::detail::trial_to_json(failed);
  CHECK(jf["value"].is_null());
  CHECK(prospect::detail::trial_from_json(Json::parse(jf.dump()), s, "") == failed);

  // Partial params round trip when completeness is not required.
  prospect::Params partial = s.params();
  partial.set("layers", 2);
  CHECK(prospect::detail::params_from_json(prospect::detail::params_to_json(partial), s, "",
                                           false) == partial);
}

TEST_CASE("json: corrupt inputs throw StudyFileError naming the path") {
  const prospect::Space s = sample_space();
  const Json good_space = prospect::detail::space_to_json(s);
  struct SpaceCase {
    const char* what;
    Json json;
    const char* mentions;
  };
  auto edited = [&](auto edit) {
    Json j = good_space;
    edit(j);
    return j;
  };
  const std::vector<SpaceCase> space_cases = {
      {"not an object", Json::array(), "/space"},
      {"no parameters", Json::object(), "parameters"},
      {"parameters not array", Json{{"parameters", 3}}, "/space/parameters"},
      {"entry not object", edited([](Json& j) { j["parameters"][1] = "x"; }),
       "/space/parameters/1"},
      {"missing name", edited([](Json& j) { j["parameters"][0].erase("name"); }), "name"},
      {"name not string", edited([](Json& j) { j["parameters"][0]["name"] = 5; }),
       "/space/parameters/0/name"},
      {"unknown type", edited([](Json& j) { j["parameters"][0]["type"] = "float"; }), "float"},
      {"lower not number", edited([](Json& j) { j["parameters"][0]["lower"] = "low"; }),
       "/space/parameters/0/lower"},
      {"missing upper", edited([](Json& j) { j["parameters"][0].erase("upper"); }), "upper"},
      {"integer bound float", edited([](Json& j) { j["parameters"][2]["lower"] = 1.5; }),
       "/space/parameters/2/lower"},
      {"bad scale", edited([](Json& j) { j["parameters"][1]["scale"] = "exp"; }), "exp"},
      {"invalid bounds", edited([](Json& j) { j["parameters"][0]["lower"] = 20.0; }),
       "/space/parameters/0"},
      {"duplicate names", edited([](Json& j) { j["parameters"][1]["name"] = "x"; }),
       "/space/parameters/1"},
      {"category not string", edited([](Json& j) { j["parameters"][4]["categories"][1] = 2; }),
       "/space/parameters/4/categories/1"},
      {"one category", edited([](Json& j) { j["parameters"][4]["categories"] = {"a"}; }),
       "at least 2"},
  };
  for (const auto& c : space_cases) {
    CAPTURE(c.what);
    try {
      (void)prospect::detail::space_from_json(c.json, "/space");
      FAIL("expected StudyFileError");
    } catch (const prospect::StudyFileError& e) {
      CHECK(contains(e.what(), c.mentions));
    }
  }

  const Json good_params = prospect::detail::params_to_json(sample_params(s));
  struct ParamsCase {
    const char* what;
    Json json;
    const char* mentions;
  };
  auto params_edited = [&](auto edit) {
    Json j = good_params;
    edit(j);
    return j;
  };
  const std::vector<ParamsCase> params_cases = {
      {"not an object", Json::array(), "/p"},
      {"unknown name", params_edited([](Json& j) { j["depth"] = 3; }), "/p/depth"},
      {"missing value", params_edited([](Json& j) { j.erase("layers"); }), "layers"},
      {"real as string", params_edited([](Json& j) { j["x"] = "1.0"; }), "/p/x"},
      {"integer as float", params_edited([](Json& j) { j["layers"] = 2.5; }), "/p/layers"},
      {"out of bounds", params_edited([](Json& j) { j["layers"] = 100; }), "/p/layers"},
      {"unknown category", params_edited([](Json& j) { j["activation"] = "elu"; }), "elu"},
      {"category as number", params_edited([](Json& j) { j["activation"] = 1; }), "/p/activation"},
  };
  for (const auto& c : params_cases) {
    CAPTURE(c.what);
    try {
      (void)prospect::detail::params_from_json(c.json, s, "/p");
      FAIL("expected StudyFileError");
    } catch (const prospect::StudyFileError& e) {
      CHECK(contains(e.what(), c.mentions));
    }
  }

  prospect::Trial t;
  t.id = 3;
  t.params = sample_params(s);
  t.status = prospect::TrialStatus::complete;
  t.value = 2.0;
  const Json good_trial = prospect::detail::trial_to_json(t);
  auto trial_edited = [&](auto edit) {
    Json j = good_trial;
    edit(j);
    return j;
  };
  const std::vector<ParamsCase> trial_cases = {
      {"negative id", trial_edited([](Json& j) { j["id"] = -1; }), "/t/id"},
      {"missing id", trial_edited([](Json& j) { j.erase("id"); }), "id"},
      {"bad status", trial_edited([](Json& j) { j["status"] = "done"; }), "done"},
      {"complete without value", trial_edited([](Json& j) { j["value"] = nullptr; }), "value"},
      {"value not number", trial_edited([](Json& j) { j["value"] = "high"; }), "/t/value"},
      {"missing params", trial_edited([](Json& j) { j.erase("params"); }), "params"},
      {"bad params", trial_edited([](Json& j) { j["params"]["x"] = 99.0; }), "/t/params/x"},
      {"message not string", trial_edited([](Json& j) { j["message"] = 1; }), "/t/message"},
      {"intermediate not pairs", trial_edited([](Json& j) {
         j["intermediate"] = {1, 2};
       }),
       "/t/intermediate/0"},
      {"intermediate step float", trial_edited([](Json& j) {
         j["intermediate"] = {{0.5, 1.0}};
       }),
       "/t/intermediate/0/0"},
  };
  for (const auto& c : trial_cases) {
    CAPTURE(c.what);
    try {
      (void)prospect::detail::trial_from_json(c.json, s, "/t");
      FAIL("expected StudyFileError");
    } catch (const prospect::StudyFileError& e) {
      CHECK(contains(e.what(), c.mentions));
    }
  }
}

TEST_CASE("json: non-finite numbers are written as strings and read back") {
  using prospect::detail::as_number;
  using prospect::detail::number_to_json;
  CHECK(number_to_json(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(number_to_json(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(number_to_json(std::nan("")) == "nan");
  CHECK(std::isnan(as_number(number_to_json(std::nan("")), "")));
  CHECK(as_number(number_to_json(-std::numeric_limits<double>::infinity()), "") ==
        -std::numeric_limits<double>::infinity());
  CHECK(as_number(number_to_json(0.1), "") == 0.1);
  CHECK_THROWS_AS((void)as_number(Json("infinite"), "/v"), prospect::StudyFileError);
}

TEST_CASE("TrialStatus names round-trip") {
  for (auto status : {prospect::TrialStatus::pending, prospect::TrialStatus::complete,
                      prospect::TrialStatus::failed, prospect::TrialStatus::abandoned}) {
    CHECK(prospect::trial_status_from_string(prospect::to_string(status)) == status);
  }
  CHECK_THROWS_AS((void)prospect::trial_status_from_string("running"), prospect::InvalidArgument);
}
