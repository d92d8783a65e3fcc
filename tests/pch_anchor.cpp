// tests/pch_anchor.cpp — the translation unit that builds the tests' precompiled header
// (tests/CMakeLists.txt): doctest, Eigen and the umbrella header, parsed once per build
// instead of once per test file.
