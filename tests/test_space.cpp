// Tests of Space (construction, validation, encoding) and Params (typed access).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/space.hpp"

using prospect::ParameterType;
using prospect::Params;
using prospect::Scale;
using prospect::Space;
using prospect::Vector;

namespace {

Space mixed_space() {
  Space s;
  s.add_real("x", -5.0, 10.0)
      .add_real("lr", 1e-5, 1e-1, Scale::log)
      .add_integer("layers", 1, 8)
      .add_integer("batch", 16, 1024, Scale::log)
      .add_categorical("activation", {"relu", "tanh", "gelu"})
      .add_integer("offset", -3, 3);
  return s;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("Space: construction, columns and lookup") {
  const Space s = mixed_space();
  CHECK(s.size() == 6);
  CHECK_FALSE(s.empty());
  CHECK(Space().empty());
  CHECK(Space().dimension() == 0);
  CHECK(s.dimension() == 8);  // 5 numeric columns + 3 one-hot
  const auto& ps = s.parameters();
  Eigen::Index column = 0;
  for (const auto& p : ps) {
    CHECK(p.column == column);
    column += p.width;
  }
  CHECK(s.parameter("activation").width == 3);
  CHECK(s.parameter("activation").type == ParameterType::categorical);
  CHECK(s.parameter("lr").scale == Scale::log);
  CHECK(s.index("batch") == 3);
  CHECK(s.parameter("layers").lower == 1.0);
  CHECK(s.parameter("layers").upper == 8.0);
  try {
    (void)s.index("nope");
    FAIL("expected InvalidArgument");
  } catch (const prospect::InvalidArgument& e) {
    CHECK(contains(e.what(), "nope"));
    CHECK(contains(e.what(), "layers"));  // lists the known names
  }
  CHECK_THROWS_AS((void)s.parameter("nope"), prospect::InvalidArgument);
}

TEST_CASE("Space: every validation error throws InvalidArgument and leaves the space unchanged") {
  struct Case {
    const char* what;
    std::function<void(Space&)> add;
    const char* mentions;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Case> cases = {
      {"empty real name", [](Space& s) { s.add_real("", 0, 1); }, "empty"},
      {"duplicate name", [](Space& s) { s.add_real("a", 0, 1); }, "\"a\""},
      {"duplicate across types", [](Space& s) { s.add_integer("c", 0, 1); }, "\"c\""},
      {"infinite lower", [=](Space& s) { s.add_real("r", -inf, 1); }, "finite"},
      {"nan upper", [=](Space& s) { s.add_real("r", 0, nan); }, "finite"},
      {"real width overflows", [](Space& s) { s.add_real("r", -1e308, 1e308); }, "width"},
      {"real lower == upper", [](Space& s) { s.add_real("r", 1, 1); }, "lower < upper"},
      {"real lower > upper", [](Space& s) { s.add_real("r", 2, 1); }, "lower < upper"},
      {"real log lower 0", [](Space& s) { s.add_real("r", 0, 1, Scale::log); }, "lower > 0"},
      {"real log lower < 0", [](Space& s) { s.add_real("r", -1, 1, Scale::log); }, "-1"},
      {"integer lower > upper", [](Space& s) { s.add_integer("i", 3, 2); }, "lower <= upper"},
      {"integer log lower 0", [](Space& s) { s.add_integer("i", 0, 5, Scale::log); }, "lower >= 1"},
      {"integer too large", [](Space& s) { s.add_integer("i", 0, 1L << 50); }, "2^40"},
      {"one category", [](Space& s) { s.add_categorical("k", {"only"}); }, "at least 2"},
      {"no category", [](Space& s) { s.add_categorical("k", {}); }, "at least 2"},
      {"duplicate category",
       [](Space& s) {
         s.add_categorical("k", {"u", "v", "u"});
       },
       "\"u\""},
      {"empty category",
       [](Space& s) {
         s.add_categorical("k", {"u", ""});
       },
       "empty"},
      {"empty categorical name",
       [](Space& s) {
         s.add_categorical("", {"u", "v"});
       },
       "empty"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    Space s;
    s.add_real("a", 0, 1).add_categorical("c", {"p", "q"});
    const Space before = s;
    const Params earlier = s.params();
    try {
      c.add(s);
      FAIL("no exception");
    } catch (const prospect::InvalidArgument& e) {
      CHECK(contains(e.what(), c.mentions));
    }
    CHECK(s.size() == 2);
    CHECK(s.dimension() == 3);
    CHECK(s == before);
    CHECK(s.params().parameters().size() == 2);
    CHECK(earlier.parameters().size() == 2);
  }
  // Boundary cases that are allowed.
  Space ok;
  CHECK_NOTHROW(ok.add_integer("single", 4, 4));
  CHECK_NOTHROW(ok.add_integer("lg", 1, 1000, Scale::log));
  CHECK_NOTHROW(ok.add_real("tiny", 1e-300, 2e-300, Scale::log));
  CHECK(ok.size() == 3);
}

TEST_CASE("Space: encode maps known values to the documented unit-cube coordinates") {
  const Space s = mixed_space();
  Params p = s.params();
  p.set("x", 2.5).set("lr", 1e-3).set("layers", 8).set("batch", 64).set("activation", "gelu");
  p.set("offset", -3);
  const Vector u = s.encode(p);
  REQUIRE(u.size() == 8);
  CHECK(u(0) == doctest::Approx(0.5));
  CHECK(u(1) == doctest::Approx(0.5));        // 1e-3 is the log midpoint of [1e-5, 1e-1]
  CHECK(u(2) == doctest::Approx(7.5 / 8.0));  // level 8 of 1..8
  CHECK(u(3) ==
        doctest::Approx((std::log(64.0) - std::log(15.5)) / (std::log(1024.5) - std::log(15.5))));
  CHECK(u(4) == 0.0);
  CHECK(u(5) == 0.0);
  CHECK(u(6) == 1.0);  // one-hot at "gelu"
  CHECK(u(7) == doctest::Approx(0.5 / 7.0));
  CHECK(((u.array() >= 0.0) && (u.array() <= 1.0)).all());
}

TEST_CASE("Space: decode(encode(p)) == p for random points from Sobol designs") {
  const Space s = mixed_space();
  const prospect::Matrix design = prospect::sobol(512, s.dimension(), 17);
  for (Eigen::Index i = 0; i < design.rows(); ++i) {
    const Vector u = design.row(i).transpose();
    const Params p = s.decode(u);
    REQUIRE(p.complete());
    const Params q = s.decode(s.encode(p));
    CHECK(q.integer("layers") == p.integer("layers"));
    CHECK(q.integer("batch") == p.integer("batch"));
    CHECK(q.integer("offset") == p.integer("offset"));
    CHECK(q.category("activation") == p.category("activation"));
    CHECK(std::abs(q.real("x") - p.real("x")) <= 1e-12 * std::max(1.0, std::abs(p.real("x"))));
    CHECK(std::abs(q.real("lr") - p.real("lr")) <= 1e-12 * p.real("lr"));
    // Decoded values are feasible.
    CHECK(p.real("x") >= -5.0);
    CHECK(p.real("x") <= 10.0);
    CHECK(p.real("lr") >= 1e-5);
    CHECK(p.real("lr") <= 1e-1);
    // snap is idempotent and lands on the encoding of the decoded point.
    const Vector snapped = s.snap(u);
    CHECK(snapped.isApprox(s.encode(p)));
    CHECK(s.snap(snapped).isApprox(snapped));
  }
}

TEST_CASE("Space: integer round trips are exact at the extremes of the allowed range") {
  const long big = Space::max_integer_magnitude;
  Space s;
  s.add_integer("wide", -big, big).add_integer("wide_log", 1, big, Scale::log);
  for (long v : {-big, -big + 1, -1L, 0L, 1L, big - 1, big}) {
    Params p = s.params();
    p.set("wide", v).set("wide_log", v > 0 ? v : 1L);
    const Params q = s.decode(s.encode(p));
    CHECK(q == p);
  }
  for (long v = 1; v <= 2000; ++v) {
    Params p = s.params();
    p.set("wide", v).set("wide_log", v);
    CHECK(s.decode(s.encode(p)) == p);
  }
}

TEST_CASE("Space: each integer level gets an equal share of the unit interval") {
  for (auto [lo, hi] :
       {std::pair{1L, 8L}, std::pair{-3L, 3L}, std::pair{0L, 1L}, std::pair{5L, 5L}}) {
    CAPTURE(lo);
    CAPTURE(hi);
    Space s;
    s.add_integer("n", lo, hi);
    const long levels = hi - lo + 1;
    const int grid = 20000;  // uniform grid of cell midpoints
    std::map<long, int> counts;
    for (int k = 0; k < grid; ++k) {
      Vector u(1);
      u(0) = (k + 0.5) / grid;
      ++counts[s.decode(u).integer("n")];
    }
    CHECK(counts.size() == static_cast<std::size_t>(levels));
    for (const auto& [level, count] : counts) {
      CHECK(level >= lo);
      CHECK(level <= hi);
      CHECK(std::abs(count - grid / double(levels)) <= 1.0);
    }
    // The ends of the interval decode to the bounds.
    Vector u(1);
    u(0) = 0.0;
    CHECK(s.decode(u).integer("n") == lo);
    u(0) = 1.0;
    CHECK(s.decode(u).integer("n") == hi);
  }
}

TEST_CASE("Space: log integer levels get shares proportional to log((v+0.5)/(v-0.5))") {
  Space s;
  s.add_integer("n", 1, 10, Scale::log);
  const int grid = 40000;
  std::map<long, int> counts;
  for (int k = 0; k < grid; ++k) {
    Vector u(1);
    u(0) = (k + 0.5) / grid;
    ++counts[s.decode(u).integer("n")];
  }
  CHECK(counts.size() == 10);
  const double total = std::log(10.5 / 0.5);
  for (const auto& [v, count] : counts) {
    const double expected = std::log((v + 0.5) / (v - 0.5)) / total * grid;
    CHECK(std::abs(count - expected) <= 1.0);
  }
}

TEST_CASE("Space: decode clamps, rounds and takes the first argmax of one-hot groups") {
  Space s;
  s.add_real("x", 0, 2).add_categorical("c", {"a", "b", "c"}).add_real("y", 1, 100, Scale::log);
  Vector u(5);
  u << -0.3, 0.2, 0.7, 0.7, 1.7;  // tie between "b" and "c": the first wins
  Params p = s.decode(u);
  CHECK(p.real("x") == 0.0);
  CHECK(p.category("c") == "b");
  CHECK(p.real("y") == 100.0);
  u << 2.0, 0.1, 0.0, 0.2, 0.0;
  p = s.decode(u);
  CHECK(p.real("x") == 2.0);
  CHECK(p.category("c") == "c");
  CHECK(p.real("y") == 1.0);
  u << 0.5, 0.0, 0.0, 0.0, 0.5;  // all zero: the first category
  CHECK(s.decode(u).category("c") == "a");
  u << 0.5, 3.0, 5.0, 0.0, 0.5;  // values above 1 clamp to 1 and tie: the first
  CHECK(s.decode(u).category("c") == "a");
  const Vector snapped = s.snap(u);
  CHECK(snapped(1) == 1.0);
  CHECK(snapped(2) == 0.0);
  CHECK(snapped(3) == 0.0);

  CHECK_THROWS_AS((void)s.decode(Vector::Zero(4)), prospect::InvalidArgument);
  u(0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS((void)s.decode(u), prospect::InvalidArgument);
}

TEST_CASE("Params: typed access, set checks and messages") {
  const Space s = mixed_space();
  Params p = s.params();
  CHECK(p.size() == 0);
  CHECK_FALSE(p.complete());
  CHECK_FALSE(p.has("x"));
  CHECK_FALSE(p.has("unknown"));
  CHECK_THROWS_AS((void)p.real("x"), prospect::InvalidState);
  CHECK_THROWS_AS((void)p.values(), prospect::InvalidState);

  p.set("x", 1.5).set("lr", 0.01).set("layers", 3).set("batch", 32L).set("activation", "relu");
  p.set("offset", 2.0);  // an integral double is accepted for an integer
  CHECK(p.complete());
  CHECK(p.size() == 6);
  CHECK(p.real("x") == 1.5);
  CHECK(p.integer("layers") == 3);
  CHECK(p.integer("offset") == 2);
  CHECK(p.category("activation") == "relu");
  CHECK(p.values() == std::vector<double>{1.5, 0.01, 3.0, 32.0, 0.0, 2.0});
  CHECK(p.to_string() == "x=1.5, lr=0.01, layers=3, batch=32, activation=relu, offset=2");
  p.set("x", 4L);  // an integer for a real is fine
  CHECK(p.real("x") == 4.0);

  // Wrong type: the message names the actual type.
  try {
    (void)p.real("layers");
    FAIL("expected InvalidArgument");
  } catch (const prospect::InvalidArgument& e) {
    CHECK(contains(e.what(), "layers"));
    CHECK(contains(e.what(), "integer"));
  }
  CHECK_THROWS_AS((void)p.integer("x"), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)p.category("x"), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)p.real("activation"), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)p.real("unknown"), prospect::InvalidArgument);
  try {
    p.set("unknown", 1.0);
    FAIL("expected InvalidArgument");
  } catch (const prospect::InvalidArgument& e) {
    CHECK(contains(e.what(), "unknown"));
    CHECK(contains(e.what(), "activation"));  // lists the known names
  }

  const Params before = p;
  CHECK_THROWS_AS(p.set("layers", 2.5), prospect::InvalidArgument);  // not integral
  CHECK_THROWS_AS(p.set("activation", 1.0), prospect::InvalidArgument);
  CHECK_THROWS_AS(p.set("activation", 1), prospect::InvalidArgument);
  CHECK_THROWS_AS(p.set("x", "relu"), prospect::InvalidArgument);
  CHECK_THROWS_AS(p.set("x", std::numeric_limits<double>::quiet_NaN()), prospect::InvalidArgument);
  CHECK_THROWS_AS(p.set("x", std::numeric_limits<double>::infinity()), prospect::InvalidArgument);
  try {
    p.set("x", 10.5);
    FAIL("expected OutOfRange");
  } catch (const prospect::OutOfRange& e) {
    CHECK(contains(e.what(), "x"));
    CHECK(contains(e.what(), "10.5"));
    CHECK(contains(e.what(), "[-5, 10]"));
  }
  CHECK_THROWS_AS(p.set("layers", 9), prospect::OutOfRange);
  CHECK_THROWS_AS(p.set("layers", 0L), prospect::OutOfRange);
  CHECK_THROWS_AS(p.set("layers", std::numeric_limits<long>::max()), prospect::OutOfRange);
  CHECK_THROWS_AS(p.set("lr", 1.0), prospect::OutOfRange);
  try {
    p.set("activation", "sigmoid");
    FAIL("expected OutOfRange");
  } catch (const prospect::OutOfRange& e) {
    CHECK(contains(e.what(), "sigmoid"));
    CHECK(contains(e.what(), "gelu"));
  }
  CHECK(p == before);  // unchanged by every failed set

  // An unbound Params refuses everything.
  Params unbound;
  CHECK_THROWS_AS(unbound.set("x", 1.0), prospect::InvalidArgument);
  CHECK(unbound.complete());
  CHECK(unbound.to_string().empty());
}

TEST_CASE("Params: equality, validation and growth of the space") {
  Space s;
  s.add_real("x", 0, 1).add_integer("n", 0, 4);
  Params a = s.params();
  a.set("x", 0.25);
  CHECK_THROWS_AS(s.validate(a), prospect::InvalidArgument);  // incomplete
  CHECK_THROWS_AS((void)s.encode(a), prospect::InvalidArgument);
  CHECK(a.to_string() == "x=0.25, n=?");
  a.set("n", 2);
  CHECK_NOTHROW(s.validate(a));

  // A separately built space with the same parameters accepts the point.
  Space same;
  same.add_real("x", 0, 1).add_integer("n", 0, 4);
  CHECK(same == s);
  CHECK_NOTHROW(same.validate(a));
  Params b = same.params();
  b.set("x", 0.25).set("n", 2);
  CHECK(a == b);
  b.set("n", 3);
  CHECK_FALSE(a == b);

  // A different space refuses it.
  Space other;
  other.add_real("x", 0, 2).add_integer("n", 0, 4);
  CHECK_FALSE(other == s);
  CHECK_THROWS_AS(other.validate(a), prospect::InvalidArgument);

  // Growing the space leaves existing Params valid for what they held.
  s.add_categorical("c", {"u", "v"});
  CHECK(a.real("x") == 0.25);
  CHECK(a.parameters().size() == 2);
  CHECK_THROWS_AS(s.validate(a), prospect::InvalidArgument);
  Params c = s.params();
  c.set("x", 0.25).set("n", 2).set("c", "v");
  CHECK_FALSE(a == c);
  CHECK(s.decode(s.encode(c)) == c);
}

TEST_CASE("Scale and ParameterType names round-trip") {
  for (auto scale : {Scale::linear, Scale::log}) {
    CHECK(prospect::scale_from_string(prospect::to_string(scale)) == scale);
  }
  for (auto type : {ParameterType::real, ParameterType::integer, ParameterType::categorical}) {
    CHECK(prospect::parameter_type_from_string(prospect::to_string(type)) == type);
  }
  CHECK_THROWS_AS((void)prospect::scale_from_string("exp"), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)prospect::parameter_type_from_string("float"), prospect::InvalidArgument);
}
