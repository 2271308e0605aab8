// logf, cosf and sqrtf exactly as glibc computes them on x86-64 (sysdeps/ieee754/flt-32:
// e_logf.c with e_logf_data.c, s_cosf.c with s_sincosf.h and s_sincosf_data.c, the ARM
// optimized-routines algorithms, evaluated in double). heed::random_bits calls std::log,
// std::cos and std::sqrt on floats, so a random op that matches the CPU backend bit for bit
// must round as glibc does, not merely accurately: glibc's logf and cosf are not correctly
// rounded (0.7% and 1.3% of the generator's inputs differ from the nearest float), and the
// device's own float log and cos are only accurate to a few ulp. Needs shaderFloat64.
// Checked against glibc 2.36 on every one of the 2^24 inputs the generator can produce
// (whether or not glibc's build fuses the multiply-adds: both give the same bits there).
// Constants: the C sources' hexadecimal doubles written as shortest round-trip decimals.
#ifndef HEED_GLIBC_MATH_GLSL
#define HEED_GLIBC_MATH_GLSL

const double heed_logf_invc[16] = double[](
    1.398907162146528LF, 1.3403141896637998LF, 1.286432210124115LF, 1.2367150214269895LF, 1.1906977166711752LF,
    1.1479821020556429LF, 1.1082251448272158LF, 1.0711297413057381LF, 1.036437278977283LF, 1.0LF, 0.9492859795739057LF,
    0.8951049428609004LF, 0.8476821620351103LF, 0.8050314851692001LF, 0.7664671008843108LF, 0.731428603316328LF);
const double heed_logf_logc[16] = double[](
    -0.33569133332882284LF, -0.2929040563774074LF, -0.2518726580937369LF, -0.21245868807117255LF, -0.17453945183745634LF,
    -0.1380057072319758LF, -0.10275976698545139LF, -0.06871392447020525LF, -0.0357891387398228LF, 0.0LF, 0.05204517742929496LF,
    0.11081431298787942LF, 0.1652495223695143LF, 0.21687389031699977LF, 0.2659635028121397LF, 0.3127556664073557LF);

float heed_glibc_logf(float x) {
  uint ix = floatBitsToUint(x);
  if (ix == 0x3f800000u) return 0.0;
  if (ix - 0x00800000u >= 0x7f800000u - 0x00800000u) {
    if (ix * 2u == 0u) return uintBitsToFloat(0xff800000u);  // log(+-0) = -inf
    if (ix == 0x7f800000u) return x;
    if ((ix & 0x80000000u) != 0u || ix * 2u >= 0xff000000u) return uintBitsToFloat(0x7fc00000u);
    precise float scaled = x * 8388608.0;  // a subnormal: normalise it (0x1p23f)
    ix = floatBitsToUint(scaled) - (23u << 23);
  }
  uint tmp = ix - 0x3f330000u;
  uint i = (tmp >> 19) % 16u;
  int k = int(tmp) >> 23;
  uint iz = ix - (tmp & 0xff800000u);
  double invc = heed_logf_invc[i], logc = heed_logf_logc[i];
  double z = double(uintBitsToFloat(iz));
  precise double r = z * invc - 1.0LF;
  precise double y0 = logc + double(k) * 0.6931471805599453LF;
  precise double r2 = r * r;
  precise double y = 0.333456765744066LF * r + -0.4999997485802103LF;
  y = -0.25089342214237154LF * r2 + y;
  y = y * r2 + (y0 + r);
  return float(y);
}

// One row of __sincosf_table: the second negates the cosine polynomial.
double heed_cosf_c(uint row, uint i) {
  const double c[5] = double[](1.0LF, -0.49999999725108224LF, 0.041666623324344516LF, -0.001388676379437604LF, 2.4390450703564542e-05LF);
  return row == 0u ? c[i] : -c[i];
}

float heed_glibc_sinf_poly(double x, double x2, uint row, int n) {
  if ((n & 1) == 0) {
    precise double x3 = x * x2;
    precise double s1 = 0.008332178146138854LF + x2 * -0.00019517298981385725LF;
    precise double x7 = x3 * x2;
    precise double s = x + x3 * -0.16666654943701084LF;
    precise double result = s + x7 * s1;
    return float(result);
  }
  precise double x4 = x2 * x2;
  precise double c2 = heed_cosf_c(row, 3u) + x2 * heed_cosf_c(row, 4u);
  precise double c1 = heed_cosf_c(row, 0u) + x2 * heed_cosf_c(row, 1u);
  precise double x6 = x4 * x2;
  precise double c = c1 + x4 * heed_cosf_c(row, 2u);
  precise double result = c + x6 * c2;
  return float(result);
}

uint heed_abstop12(float x) { return (floatBitsToUint(x) >> 20) & 0x7ffu; }

// cosf for |y| < 120, which covers the generator's arguments (0 <= 2 pi u < 2 pi).
float heed_glibc_cosf(float y) {
  double x = double(y);
  if (heed_abstop12(y) < heed_abstop12(uintBitsToFloat(0x3f490fdbu))) {  // |y| < pi / 4
    if (heed_abstop12(y) < heed_abstop12(uintBitsToFloat(0x39800000u))) return 1.0;  // |y| < 2^-12
    return heed_glibc_sinf_poly(x, x * x, 0u, 1);
  }
  // reduce_fast as x86-64 builds it (no TOINT_INTRINSICS): 2/pi is scaled by 2^24.
  precise double r = x * 10680707.430881744LF;
  int n = (int(r) + 0x800000) >> 24;
  precise double reduced = x - double(n) * 1.5707963267948966LF;
  double s = ((n + 1) & 2) == 0 ? 1.0LF : -1.0LF;  // sign[n & 3] = {1, -1, -1, 1}
  uint row = (n & 2) != 0 ? 1u : 0u;
  precise double signed_x = reduced * s;
  precise double square = reduced * reduced;
  return heed_glibc_sinf_poly(signed_x, square, row, n ^ 1);
}

// sqrtss is correctly rounded; the double square root rounded once to float is too (53 >= 2 * 24 + 2).
float heed_glibc_sqrtf(float x) { return float(sqrt(double(x))); }

#endif
