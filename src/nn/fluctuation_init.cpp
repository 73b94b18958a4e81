#include "nn/fluctuation_init.h"

#include <omp.h>

#include <cmath>
#include <type_traits>

#include "core/blas.h"
#include "core/error.h"
#include "nn/conv2d.h"
#include "nn/dale.h"
#include "nn/lif_layer.h"
#include "nn/linear.h"
#include "nn/neuron_dispatch.h"
#include "nn/neuron_layer.h"
#include "nn/recurrent_layer.h"

namespace spikeforge {
namespace {

// Sums for the moments of two free membranes U1, UZ over (t, b, j).
struct Moments {
  double n = 0, s1 = 0, s11 = 0, sz = 0, szz = 0, s1z = 0;
  void add(const Moments& o) { n += o.n, s1 += o.s1, s11 += o.s11, sz += o.sz, szz += o.szz, s1z += o.s1z; }
  double e1() const { return s1 / n; }
  double ez() const { return sz / n; }
  double v1() const { return std::max(0.0, s11 / n - e1() * e1()); }
  double vz() const { return std::max(0.0, szz / n - ez() * ez()); }
  double c1z() const { return s1z / n - e1() * ez(); }
};

// The neuron that a synapse feeds: its model's free dynamics (firing off).
struct NeuronInfo {
  NeuronModelKind model = NeuronModelKind::Lif;
  SpikingParams sp;
  NeuronModelParams mp;
  std::vector<float> beta, gamma;  // [N]
};

bool neuron_info(const Layer& l, NeuronInfo& info) {
  int64_t N = l.out_shape().size();
  if (auto* lif = dynamic_cast<const LifLayer*>(&l)) {
    info.sp = lif->params();
    info.beta.assign(N, info.sp.lif.beta);
  } else if (auto* n = dynamic_cast<const NeuronLayer*>(&l)) {
    info.model = n->model(), info.sp = n->spiking_params(), info.mp = n->model_params(), info.beta = n->beta();
  } else if (auto* r = dynamic_cast<const RecurrentLayer*>(&l)) {
    info.model = r->model(), info.sp = r->spiking_params(), info.mp = r->model_params(), info.beta = r->beta();
  } else {
    return false;
  }
  info.gamma.assign(N, 0.f);  // no spikes, so no adaptation
  return true;
}

// Free membranes (the model's own update with m = 0: never fires) of the
// input currents I1 and IZ [Tin, B, N] (IZ may be null) over T steps;
// returns their moments over steps, samples and neurons. Each thread owns a
// slice of rows; partial sums are added in thread order (deterministic).
Moments free_moments(const NeuronInfo& info, const float* I1, const float* IZ, int Tin, int T, int64_t B, int64_t N) {
  std::vector<Moments> part(omp_get_max_threads());
  with_neuron_model(info.model, info.sp, info.mp, [&](const auto& m) {
    using M = std::decay_t<decltype(m)>;
#pragma omp parallel
    {
      const int nt = omp_get_num_threads(), id = omp_get_thread_num();
      const int64_t per = (B + nt - 1) / nt, b0 = std::min(B, per * id), b1 = std::min(B, b0 + per);
      const int64_t n = (b1 - b0) * N;
      std::vector<typename M::State> st1(n), stz(IZ ? n : 0);
      typename M::Saved sv{};
      Moments mo;
      for (int t = 0; t < T; ++t) {
        const int64_t off = (Tin == 1 ? 0 : int64_t(t) * B * N) + b0 * N;
        for (int64_t e = 0; e < n; ++e) {
          const int64_t j = e % N;
          m.forward(st1[e], I1[off + e], info.beta[j], info.gamma[j], 0.f, sv);
          const double u1 = sv.v;
          mo.s1 += u1, mo.s11 += u1 * u1;
          if (IZ) {
            m.forward(stz[e], IZ[off + e], info.beta[j], info.gamma[j], 0.f, sv);
            const double uz = sv.v;
            mo.sz += uz, mo.szz += uz * uz, mo.s1z += u1 * uz;
          }
        }
        mo.n += double(n);
      }
      part[id] = mo;
    }
  });
  Moments total;
  for (const Moments& p : part) total.add(p);
  return total;
}

// The free membrane's response to a unit input at step 0 (the PSP kernel).
std::vector<double> psp_kernel(const NeuronInfo& info, int T) {
  std::vector<double> k(T);
  with_neuron_model(info.model, info.sp, info.mp, [&](const auto& m) {
    typename std::decay_t<decltype(m)>::State st{};
    typename std::decay_t<decltype(m)>::Saved sv{};
    for (int t = 0; t < T; ++t) m.forward(st, t == 0 ? 1.f : 0.f, info.beta[0], 0.f, 0.f, sv), k[t] = sv.v;
  });
  return k;
}

// (mu_W, sigma_W) with  mu E1 + sigma EZ = m  and  mu^2 V1 + sigma^2 VZ + 2 mu sigma C = s^2.
// Returns false when no sigma >= 0 reaches s: the mean drive alone, mu^2 Var[U1], spreads the
// membrane more than s^2 (a mean target too far from 0 for how much the summed input varies).
bool solve_weights(const Moments& mo, double m, double s, double& mu, double& sigma) {
  const double E1 = mo.e1(), EZ = mo.ez(), V1 = mo.v1(), VZ = mo.vz(), C = mo.c1z();
  if (std::fabs(E1) < 1e-12) {  // no mean drive at all (silent input): only the spread can be set
    mu = 0;
    sigma = VZ > 0 ? s / std::sqrt(VZ) : 0;
    return VZ > 0;
  }
  const double a = m / E1, b = EZ / E1;  // mu = a - b sigma
  const double qa = b * b * V1 + VZ - 2 * b * C, qb = 2 * a * C - 2 * a * b * V1, qc = a * a * V1 - s * s;
  const double disc = qb * qb - 4 * qa * qc;
  if (qa > 0 && disc >= 0 && -qb + std::sqrt(disc) >= 0) {
    sigma = (-qb + std::sqrt(disc)) / (2 * qa);
    mu = a - b * sigma;
    return true;
  }
  // Unreachable: all weights equal, scaled to the std target (the mean then falls short of its target).
  sigma = 0;
  mu = (m >= 0 ? 1.0 : -1.0) * (V1 > 0 ? s / std::sqrt(V1) : 0.0);
  return false;
}

// Consumers per node (a synapse is initialised only for a neuron that is its only reader).
std::vector<int> consumer_counts(const Network& net) {
  std::vector<int> c(net.layers().size(), 0);
  for (size_t i = 0; i < net.layers().size(); ++i)
    for (int j : net.inputs_of(int(i)))
      if (j != Network::kInput) ++c[j];
  return c;
}

// Synapse node feeding neuron node j (or j itself for a recurrent layer), or -1.
int synapse_of(const Network& net, const std::vector<int>& consumers, int j) {
  const Layer& l = *net.layers()[j];
  if (dynamic_cast<const RecurrentLayer*>(&l)) return j;
  NeuronInfo info;
  if (!neuron_info(l, info)) return -1;
  const int i = net.inputs_of(j)[0];
  if (i == Network::kInput || consumers[i] != 1) return -1;
  const Layer& s = *net.layers()[i];
  if (dynamic_cast<const SignConstrained*>(&s)) return -1;  // Dale: keep the balanced E/I initialisation
  return dynamic_cast<const Linear*>(&s) || dynamic_cast<const Conv2d*>(&s) ? i : -1;
}

const float* input_of(const Network& net, int node, const float* x) {
  const int i = net.inputs_of(node)[0];
  return i == Network::kInput ? x : net.act(i);
}

// A Linear or Conv2d's weights and bias, and their counts.
void synapse_weights(Layer& l, float*& w, int64_t& nw, float*& b, int64_t& nb) {
  if (auto* lin = dynamic_cast<Linear*>(&l)) {
    w = lin->weight(), b = lin->bias();
    nw = l.in_shape().size() * l.out_shape().size();
  } else {
    auto* c = dynamic_cast<Conv2d*>(&l);
    w = c->weight(), b = c->bias();
    nw = int64_t(c->out_channels()) * c->geom().col_rows();
  }
  nb = b ? l.out_shape().C : 0;
}

// Z ~ N(0, 1), then standardised to mean 0 and variance 1 exactly, so that
// W = mu_W + sigma_W Z has exactly the mean and spread reported.
void draw_standard(std::vector<float>& z, Rng& rng) {
  double s = 0, s2 = 0;
  for (auto& v : z) v = rng.normal(), s += v, s2 += double(v) * v;
  const double n = double(z.size()), mean = s / n, sd = std::sqrt(std::max(1e-30, s2 / n - mean * mean));
  for (auto& v : z) v = float((v - mean) / sd);
}

double mean_of(const float* v, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += v[i];
  return n ? s / double(n) : 0.0;
}

}  // namespace

std::vector<FluctuationLayerInit> fluctuation_init(Network& net, const float* x, int Tin, int T, int B,
                                                   const FluctuationParams& p, Rng& rng) {
  std::vector<FluctuationLayerInit> done;
  const std::vector<int> consumers = consumer_counts(net);
  net.prepare(Tin, T, B);
  for (size_t jj = 0; jj < net.layers().size(); ++jj) {
    const int j = int(jj);
    const int i = synapse_of(net, consumers, j);
    if (i < 0) continue;
    NeuronInfo info;
    neuron_info(*net.layers()[j], info);
    net.forward(x, /*train=*/false);  // the earlier layers as initialised so far: real spikes
    const int tin = net.steps_of(net.inputs_of(i)[0]);
    const float* X = input_of(net, i, x);
    const double theta = info.sp.lif.theta;
    const double m = p.membrane_mean * theta, s = p.membrane_std * theta;
    FluctuationLayerInit rec{i, j};
    const std::vector<double> k = psp_kernel(info, T);
    for (double e : k) rec.epsbar += e, rec.epshat += e * e;
    Layer& syn = *net.layers()[i];
    const int64_t in_n = int64_t(tin) * B * syn.in_shape().size();
    rec.input_rate = mean_of(X, in_n);
    if (auto* r = dynamic_cast<RecurrentLayer*>(&syn)) {
      // Input weights: variance share alpha, mean m; then recurrent weights from the layer's own spikes.
      const int N = r->units(), I = r->inputs();
      const int64_t rows = int64_t(tin) * B;
      std::vector<float> Z(int64_t(N) * I), Zr(int64_t(N) * N), ones(int64_t(N) * I, 1.f);
      draw_standard(Z, rng);
      draw_standard(Zr, rng);
      std::vector<float> I1(rows * N), IZ(rows * N);
      gemm_nt(int(rows), N, I, 1.f, X, ones.data(), 0.f, I1.data());  // x 1^T
      gemm_nt(int(rows), N, I, 1.f, X, Z.data(), 0.f, IZ.data());     // x Z^T
      const Moments mo = free_moments(info, I1.data(), IZ.data(), tin, T, B, N);
      double mu, sigma;
      rec.reachable = solve_weights(mo, m, std::sqrt(p.ff_fraction) * s, mu, sigma);
      for (int64_t e = 0; e < int64_t(N) * I; ++e) r->w_in()[e] = float(mu + sigma * Z[e]);
      if (r->bias())
        for (int o = 0; o < N; ++o) r->bias()[o] = 0.f;
      rec.mu_w = float(mu), rec.sigma_w = float(sigma);
      if (!r->dale()) {  // Dale: W_rec keeps its balanced E/I initialisation
        std::fill(r->w_rec(), r->w_rec() + int64_t(N) * N, 0.f);
        net.forward(x, /*train=*/false);  // the layer's spikes without recurrence
        const float* S = net.act(j);      // [T, B, N]
        const int64_t n = int64_t(B) * N;
        std::vector<float> IR(int64_t(T) * n, 0.f);  // s_{t-1} Zr^T, 0 at t = 0
        if (T > 1) gemm_nt(int((T - 1) * B), N, N, 1.f, S, Zr.data(), 0.f, IR.data() + n);
        const Moments mr = free_moments(info, IR.data(), nullptr, T, T, B, N);
        const double sr = mr.v1() > 0 ? std::sqrt((1.0 - p.ff_fraction) * s * s / mr.v1()) : 0.0;
        for (int64_t e = 0; e < int64_t(N) * N; ++e) r->w_rec()[e] = float(sr * Zr[e]);
        rec.sigma_w_rec = float(sr);
      }
      done.push_back(rec);
      continue;
    }
    float *w, *b;
    int64_t nw, nb;
    synapse_weights(syn, w, nw, b, nb);
    const int64_t out_n = int64_t(tin) * B * syn.out_shape().size();
    std::vector<float> I1(out_n), IZ(out_n), Z(nw);
    draw_standard(Z, rng);
    for (int64_t e = 0; e < nb; ++e) b[e] = 0.f;
    std::fill(w, w + nw, 1.f);
    syn.forward(X, I1.data(), false);  // synapse(x; all weights 1)
    std::copy(Z.begin(), Z.end(), w);
    syn.forward(X, IZ.data(), false);  // synapse(x; Z)
    const Moments mo = free_moments(info, I1.data(), IZ.data(), tin, T, B, syn.out_shape().size());
    double mu, sigma;
    rec.reachable = solve_weights(mo, m, s, mu, sigma);
    for (int64_t e = 0; e < nw; ++e) w[e] = float(mu + sigma * Z[e]);  // W = mu_W + sigma_W Z
    rec.mu_w = float(mu), rec.sigma_w = float(sigma);
    done.push_back(rec);
  }
  if (done.empty())
    throw ConfigError(
        "init = \"fluctuation\": no layer to initialise, expected a linear or conv2d layer feeding a spiking "
        "neuron layer (no norm in between), or a recurrent layer");
  return done;
}

std::vector<MembraneStats> free_membrane_stats(Network& net, const float* x, int Tin, int T, int B) {
  std::vector<MembraneStats> out;
  const std::vector<int> consumers = consumer_counts(net);
  net.prepare(Tin, T, B);
  net.forward(x, /*train=*/false);
  for (size_t jj = 0; jj < net.layers().size(); ++jj) {
    const int j = int(jj);
    const int i = synapse_of(net, consumers, j);
    if (i < 0) continue;
    NeuronInfo info;
    neuron_info(*net.layers()[j], info);
    const double theta = info.sp.lif.theta;
    Moments mo;
    if (auto* r = dynamic_cast<RecurrentLayer*>(net.layers()[j].get())) {
      // c_t = x_t W_in^T + b + s_{t-1} W_rec^T with the layer's own spikes
      const int N = r->units(), I = r->inputs(), tin = net.steps_of(net.inputs_of(j)[0]);
      const int64_t n = int64_t(B) * N;
      std::vector<float> cur(int64_t(T) * n, 0.f);
      const float* X = input_of(net, j, x);
      for (int t = 0; t < T; ++t) {
        float* c = cur.data() + int64_t(t) * n;
        if (r->bias())
          for (int b = 0; b < B; ++b)
            for (int o = 0; o < N; ++o) c[int64_t(b) * N + o] = r->bias()[o];
        gemm_nt(B, N, I, 1.f, X + (tin == 1 ? 0 : int64_t(t) * B * I), r->w_in(), 1.f, c);
        if (t > 0) gemm_nt(B, N, N, 1.f, net.act(j) + int64_t(t - 1) * n, r->w_rec(), 1.f, c);
      }
      mo = free_moments(info, cur.data(), nullptr, T, T, B, N);
    } else {
      mo = free_moments(info, net.act(i), nullptr, net.steps_of(i), T, B, net.layers()[i]->out_shape().size());
    }
    out.push_back({j, mo.e1() / theta, std::sqrt(mo.v1()) / theta});
  }
  return out;
}

}  // namespace spikeforge
