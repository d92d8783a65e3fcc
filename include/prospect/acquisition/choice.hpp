// prospect/acquisition/choice.hpp — which acquisition a study uses, as a value.
//
// AcquisitionChoice is a variant of option structs (runtime values: no template
// parameter reaches the user's code) plus a user's own Acquisition. Names are the
// short lower-case strings used by the CLI and the study files.
//
//   single point, analytic:   logei (default), ei, ucb, pi, logpi
//   batch, Monte Carlo:       qei, qlogei, qucb, qlognei (noisy; pending-aware)
//   knowledge gradient:       kg (one-shot, q points), finite_kg, nei (Frazier's noisy EI)
//   posterior functions:      ts (Thompson sampling; sample-based surrogates: HMC, ensembles)
//   predictive quantiles:     quantile_ts (the CQR searcher's random-quantile draw over fresh
//                             candidates), quantile (one fixed, e.g. optimistic, quantile)
//   multi-fidelity:           mfkg (cost-aware multi-fidelity KG), aei (augmented EI);
//                             both choose the fidelity with the design
//
// In a multi-fidelity study (a space with add_fidelity) every acquisition but mfkg and aei is
// evaluated at the target fidelity: "EI at the target", the single-fidelity baseline.
//
// The Monte Carlo and knowledge-gradient acquisitions score q points jointly
// (Acquisition::joint_batch()): ask(q) optimizes the q points together with the
// pending ones fixed. The analytic ones are maximized greedily with fantasies.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "prospect/acquisition/acquisition.hpp"
#include "prospect/acquisition/analytic.hpp"
#include "prospect/acquisition/augmented_ei.hpp"
#include "prospect/acquisition/knowledge_gradient.hpp"
#include "prospect/acquisition/monte_carlo.hpp"
#include "prospect/acquisition/quantile.hpp"
#include "prospect/acquisition/thompson.hpp"

namespace prospect::acquisition {

/// Which acquisition to use: a built-in one's options or a user's own implementation.
/// The first alternative, LogEI, is the default.
using AcquisitionChoice = std::variant<LogEI, EI, UCB, PI, LogPI, qEI, qLogEI, qUCB, qLogNEI, KG,
                                       FiniteKG, MFKG, AugmentedEI, Thompson, QuantileThompson,
                                       Quantile, std::shared_ptr<const Acquisition>>;

/// A fresh, unprepared acquisition for a choice; a user's acquisition is cloned.
/// Throws InvalidArgument for invalid options (each names the field) or a null pointer.
[[nodiscard]] std::unique_ptr<Acquisition> make_acquisition(const AcquisitionChoice& choice);

/// The choice's name ("logei", "qlognei", "kg", "nei", ...; see the table above), or
/// the user's acquisition name(). Only the kind is named, not its options. Throws
/// InvalidArgument for a null pointer.
[[nodiscard]] std::string to_string(const AcquisitionChoice& choice);

/// The choice with default options for a name of the table above (case-insensitive).
/// Throws InvalidArgument for another name, listing the valid ones.
[[nodiscard]] AcquisitionChoice acquisition_from_string(const std::string& name);

/// Every built-in name, in the order of the table above.
[[nodiscard]] const std::vector<std::string>& acquisition_names();

}  // namespace prospect::acquisition
