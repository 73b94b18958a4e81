// Read-outs of an unsupervised layer's spike counts r [S, N] (S samples,
// N neurons):
//
//   vote (Diehl & Cook 2015): each neuron is labelled by its strongest class
//     response on labelled samples,
//       label_j = argmax_c mean_{s : y_s = c} r_sj     (-1 if it never fired),
//     and a sample is classified by the class whose neurons respond most,
//       c* = argmax_c score_c,  score_c = sum_{j : label_j = c} r_j
//       (average = true: divided by the number of neurons labelled c).
//     Ties go to the lower class index.
//   proportion: each neuron keeps its whole class profile instead of one label,
//       p_jc = m_jc / sum_c' m_jc',  m_jc = mean_{s : y_s = c} r_sj,
//     and a sample scores score_c = sum_j r_j p_jc (argmax, ties to the lower
//     class): a neuron that answers to two classes votes for both, in
//     proportion. (BindsNET's "proportion weighting", Hazan et al. 2018,
//     counts only the labelled class's share, sum_{j : label_j = c} r_j p_jc.)
//   linear: softmax regression on standardised counts,
//       f_sj = (r_sj - mean_j) / (std_j + 1e-6),   p_s = softmax(f_s W + b),
//     trained by Adam (learn/optimizer.h) on the cross-entropy, minibatches
//     of 64, shuffled with the seed; W [N, C], b [C].
#pragma once
#include <cstdint>
#include <vector>

namespace spikeforge {

// r [S, N], y [S] in [0, classes): label per neuron, -1 for neurons that never fired.
std::vector<int> assign_labels(const float* r, const int* y, int64_t S, int N, int classes);
// counts [N] of one sample -> class
int vote_class(const float* counts, const std::vector<int>& labels, int classes, bool average);
// r [S, N], y [S] -> p [N, C]: each neuron's class means normalised to sum 1 (0 if it never fired)
std::vector<float> class_proportions(const float* r, const int* y, int64_t S, int N, int classes);
// counts [N] of one sample, p [N, C] -> class
int proportion_class(const float* counts, const std::vector<float>& p, int classes);

struct LinearReadout {
  int N = 0, C = 0;
  std::vector<float> mean, inv_std;  // [N]
  std::vector<float> W;              // [N, C] then b [C], one flat buffer
  int predict(const float* counts) const;
};

LinearReadout train_linear_readout(const float* r, const int* y, int64_t S, int N, int classes, int epochs, float lr,
                                   uint64_t seed);

}  // namespace spikeforge
