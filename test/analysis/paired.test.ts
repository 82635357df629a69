// The paired statistics against scipy. Every expected number below was computed with scipy 1.17.1 / numpy 2.4 by
// test/fixtures/paired-reference.py (python3 test/fixtures/paired-reference.py), and pasted here.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benjaminiHochbergAdjust, holmAdjust } from '../../server/analysis/adjust.js';
import {
  noncentralTCdf, normalSf, studentTCdf, studentTQuantile,
} from '../../server/analysis/distributions.js';
import { comparePaired, pairedTTest, type Observation } from '../../server/analysis/paired.js';
import { pairedTPower, seedsNeeded } from '../../server/analysis/power.js';
import { wilcoxonSignedRank, type WilcoxonMethod } from '../../server/analysis/wilcoxon.js';

interface WilcoxonReference { statistic: number; p: number; method: WilcoxonMethod }
interface Reference {
  x: number[]; y: number[];
  mean: number; t: number; df: number; pT: number; ci: [number, number];
  wilcox: WilcoxonReference; pratt: WilcoxonReference;
  dz: number; seedsNeeded: number | null; holm: number; bh: number;
}

// scipy.stats.ttest_rel(x, y), its confidence_interval(0.95), scipy.stats.wilcoxon(x - y, zero_method=...,
// correction=False, method='auto') (the method 'auto' picked), d_z = mean / sd(ddof=1) of x - y, the smallest n with
// nct power >= 0.8 at alpha 0.05, and Holm / Benjamini-Hochberg over the ten t-test p-values.
const CASES: Record<string, Reference> = {
  n3: {
    x: [0.91, 0.87, 0.93],
    y: [0.85, 0.86, 0.88],
    mean: 0.040000000000000036, t: 2.6186146828319083, df: 2, pT: 0.12011730987188027,
    ci: [-0.0257241060772843, 0.10572410607728437],
    wilcox: { statistic: 0.0, p: 0.25, method: 'exact' },
    pratt: { statistic: 0.0, p: 0.25, method: 'exact' },
    dz: 1.5118578920369088, seedsNeeded: 6, holm: 0.3603519296156408, bh: 0.15014663733985034,
  },
  n5_negative: {
    x: [0.52, 0.61, 0.47, 0.58, 0.55],
    y: [0.71, 0.69, 0.73, 0.66, 0.74],
    mean: -0.15999999999999998, t: -4.562127588097608, df: 4, pT: 0.010322173654175863,
    ci: [-0.25737369423657214, -0.06262630576342783],
    wilcox: { statistic: 0.0, p: 0.0625, method: 'permutation' },
    pratt: { statistic: 0.0, p: 0.0625, method: 'permutation' },
    dz: -2.0402454818026827, seedsNeeded: 5, holm: 0.0825773892334069, bh: 0.03440724551391955,
  },
  n8_ties: {
    x: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    y: [0.5, 2.5, 2.0, 3.0, 4.5, 7.0, 6.5, 6.0],
    mean: 0.5, t: 1.5275252316519468, df: 7, pT: 0.1704706607870538,
    ci: [-0.2740049730751596, 1.2740049730751597],
    wilcox: { statistic: 8.5, p: 0.2421875, method: 'permutation' },
    pratt: { statistic: 8.5, p: 0.2421875, method: 'permutation' },
    dz: 0.5400617248673217, seedsNeeded: 29, holm: 0.3603519296156408, bh: 0.1894118453189487,
  },
  n10_zeros: {
    x: [0.75, 0.8125, 0.875, 0.625, 0.90625, 0.5, 0.6875, 0.9375, 0.71875, 0.84375],
    y: [0.6875, 0.8125, 0.78125, 0.65625, 0.90625, 0.4375, 0.625, 0.84375, 0.75, 0.78125],
    mean: 0.0375, t: 2.4494897427831774, df: 9, pT: 0.03678749787978619,
    ci: [0.0028679327072643757, 0.07213206729273562],
    wilcox: { statistic: 3.0, p: 0.03125, method: 'permutation' },
    pratt: { statistic: 7.0, p: 0.0625, method: 'permutation' },
    dz: 0.7745966692414833, seedsNeeded: 16, holm: 0.19814376631116232, bh: 0.06131249646631032,
  },
  n13_one_zero: {
    x: [0.781741528091409, 0.8163020487015262, 0.8048850472093332, 0.6929821948929079, 0.6797350304393608, 0.839733536741916, 0.8261562294859989, 0.7057536871045202, 0.7611627613512539, 0.7994404951397474, 0.7509892020034449, 0.9401017809079399, 0.8105853796014235],
    y: [0.7421751417990478, 0.7943690522384635, 0.8021686396926485, 0.6774923230574668, 0.6797350304393608, 0.805980376755203, 0.8228013840004831, 0.6725149485299355, 0.7228198714587449, 0.7568550470479338, 0.7543837110552097, 0.9102791993865625, 0.7706672594314143],
    mean: 0.022871302829100573, t: 4.8100438485082435, df: 12, pT: 0.0004261925668775605,
    ci: [0.012511254229813192, 0.033231351428387956],
    wilcox: { statistic: 3.0, p: 0.00244140625, method: 'permutation' },
    pratt: { statistic: 4.0, p: 0.001953125, method: 'permutation' },
    dz: 1.3340661333097392, seedsNeeded: 7, holm: 0.004261925668775605, bh: 0.004261925668775605,
  },
  n20_exact: {
    x: [0.8797673168292449, 0.8847337665218952, 0.8864400071464678, 0.9110387782813048, 0.8988608905213791, 0.8879926078261198, 0.938732256410755, 0.8711077834436155, 0.8927838288308338, 0.9270790117777445, 0.8922909024599273, 0.8990991524791108, 0.8718289022459151, 0.856928805352018, 0.9075173986580437, 0.8973208370655867, 0.8905753282208734, 0.8876277965287048, 0.8816621768982486, 0.9012611179847225],
    y: [0.8669709567866786, 0.87391269298406, 0.8900972036082978, 0.9117185423775549, 0.8816319414158185, 0.8900706116972648, 0.9271069838825476, 0.8703601326790461, 0.8865787479613143, 0.9227739125576357, 0.8903014823619727, 0.8912181092791749, 0.8392157929925053, 0.8518167640695202, 0.9073153160904324, 0.8991998485327046, 0.8957279433755976, 0.8934324061915375, 0.8838772023093113, 0.8973626082609096],
    mean: 0.004697973303431335, t: 2.2989440471423888, df: 19, pT: 0.03302396105186039,
    ci: [0.00042080477326535137, 0.008975141833597319],
    wilcox: { statistic: 52.0, p: 0.04844093322753906, method: 'exact' },
    pratt: { statistic: 52.0, p: 0.04844093322753906, method: 'exact' },
    dz: 0.5140595165878862, seedsNeeded: 32, holm: 0.19814376631116232, bh: 0.06131249646631032,
  },
  n16_ties: {
    x: [0.5625, 0.6875, 0.625, 0.75, 0.8125, 0.8125, 0.625, 0.625, 0.5, 0.6875, 0.75, 0.75, 0.75, 0.875, 0.5, 0.75],
    y: [0.5625, 0.5625, 0.375, 0.8125, 0.75, 0.8125, 0.5625, 0.6875, 0.4375, 0.5625, 0.625, 0.75, 0.875, 0.9375, 0.375, 0.5625],
    mean: 0.05078125, t: 1.9794149292487722, df: 15, pT: 0.06642525920782918,
    ci: [-0.003900398923672492, 0.1054628989236725],
    wilcox: { statistic: 19.5, p: 0.06455562039320692, method: 'asymptotic' },
    pratt: { statistic: 31.5, p: 0.07895492817705535, method: 'asymptotic' },
    dz: 0.49485373231219304, seedsNeeded: 35, holm: 0.26570103683131674, bh: 0.09489322743975598,
  },
  n30_ties_zeros: {
    x: [0.75, 0.75, 0.5625, 0.5, 0.5625, 0.625, 0.75, 0.5625, 0.625, 0.5625, 0.6875, 0.5625, 0.5625, 0.5625, 0.5, 0.5, 0.5625, 0.5625, 0.5, 0.75, 0.625, 0.6875, 0.6875, 0.5, 0.5, 0.8125, 0.75, 0.75, 0.625, 0.5625],
    y: [0.90625, 0.6875, 0.75, 0.625, 0.5625, 0.65625, 0.78125, 0.65625, 0.59375, 0.625, 0.6875, 0.59375, 0.625, 0.53125, 0.625, 0.4375, 0.625, 0.40625, 0.5625, 0.75, 0.6875, 0.625, 0.6875, 0.5, 0.5, 0.84375, 0.84375, 0.78125, 0.71875, 0.59375],
    mean: -0.03229166666666667, t: -2.464345887601251, df: 29, pT: 0.01989359258539335,
    ci: [-0.05909142484704982, -0.005491908486283521],
    wilcox: { statistic: 69.0, p: 0.019537748065394444, method: 'asymptotic' },
    pratt: { statistic: 105.0, p: 0.015120790591495148, method: 'asymptotic' },
    dz: -0.4499259440447654, seedsNeeded: 41, holm: 0.13925514809775344, bh: 0.04973398146348337,
  },
  n30_small_effect: {
    x: [0.5201621885863809, 0.454884359327945, 0.6229588386856356, 0.5486789128575099, 0.5268550464776809, 0.456934657228058, 0.4362328952820119, 0.4739894727794146, 0.44346785676954326, 0.5157490853703035, 0.4249176745935826, 0.594177295717401, 0.5029744996090801, 0.49669059577494135, 0.5020122894416186, 0.5920569627058541, 0.5181862476430517, 0.5406011261962701, 0.5214081045726007, 0.43701347357840165, 0.5042959986238023, 0.4255395677017193, 0.3710605459967996, 0.4199157009899305, 0.5143777551857963, 0.3955009715790524, 0.4208733696063177, 0.4288606374339187, 0.4733285044535926, 0.5081236804840462],
    y: [0.5197039035636083, 0.4359055017780741, 0.6231145250950688, 0.578045170442024, 0.5270223496942583, 0.43619479748107404, 0.44018849721654385, 0.49406326313491566, 0.4494144541712853, 0.5496629136771894, 0.4384182712677693, 0.6099592535114611, 0.5092038269524538, 0.5451073000350379, 0.4858582849005519, 0.6261576244977919, 0.5127418477053808, 0.5031072983274383, 0.4735273370294561, 0.43400937840829457, 0.5101623801825265, 0.4449930457462912, 0.3272863626436248, 0.39816006865002235, 0.5096291606889785, 0.3982442037667343, 0.42161820518599696, 0.41080955442108225, 0.478152371193837, 0.5217583200883035],
    mean: -0.0006797052068271247, t: -0.1659994873865611, df: 29, pT: 0.8693092656148018,
    ci: [-0.009054148157229382, 0.007694737743575133],
    wilcox: { statistic: 210.0, p: 0.6554384250193834, method: 'exact' },
    pratt: { statistic: 210.0, p: 0.6554384250193834, method: 'exact' },
    dz: -0.03030722125863794, seedsNeeded: 8547, holm: 0.8693092656148018, bh: 0.8693092656148018,
  },
  n55: {
    x: [0.24218584846697333, 0.30027404773185173, 0.2938470371833042, 0.3207816395503178, 0.31923566613145266, 0.2578456458617815, 0.31018346077119474, 0.32482478548127963, 0.37387861120994054, 0.28912144975494847, 0.2629667752124394, 0.3197523099026741, 0.33267487290355885, 0.2901968277800424, 0.34312640026747515, 0.34911691727050537, 0.3030841196198431, 0.26663763336672164, 0.3304456317173361, 0.27027123064148406, 0.3245005028831357, 0.28155310776407727, 0.33250049174974916, 0.3043529576332177, 0.28858956122154644, 0.34092177097538967, 0.20913198191160165, 0.28337386000310383, 0.23275321985283492, 0.2537039577100941, 0.2534037483774799, 0.31747671301725067, 0.22233429731188348, 0.20891836094851302, 0.2500785381009352, 0.33045396152941453, 0.3491416434082004, 0.30330416512418235, 0.34730006588702, 0.3229549095545302, 0.2784939378421829, 0.2313156331669765, 0.26299117419176354, 0.3548483698827277, 0.29114112008503, 0.25416462481774027, 0.39092449223866205, 0.29188953644646215, 0.258589108719726, 0.3757637427750855, 0.26563298360573984, 0.29965314228354784, 0.35358118544991207, 0.3239656979461179, 0.3332780385025685],
    y: [0.23514405332999114, 0.30272088654651913, 0.27663513423118813, 0.31079628516045155, 0.33062271272908844, 0.23677819589943996, 0.293444890685485, 0.3152740153000802, 0.3744343265293686, 0.273860574537792, 0.24140914636131508, 0.3027819373034245, 0.3358813173969776, 0.2753048728973484, 0.32755549622379937, 0.28580710489747047, 0.2810500989109839, 0.27741886371817664, 0.3076861557385889, 0.27778468338921314, 0.3203688443626411, 0.3277170776304524, 0.3021398851896354, 0.2605535019424858, 0.31510625283865107, 0.3328243469745302, 0.18625910896058537, 0.23683291806098403, 0.20168513337540414, 0.2411684526154039, 0.23918871821878443, 0.3286397603790027, 0.22496363062957675, 0.2258288776172897, 0.24262085832034858, 0.32032210994843224, 0.3313558080294795, 0.3186155881968293, 0.35032286711556526, 0.25737271285702745, 0.23349295459761352, 0.18534881945815893, 0.24987143449057483, 0.3917457668064626, 0.2510930236814971, 0.24771253366856788, 0.3871402901749688, 0.2805672345762222, 0.24429079370946816, 0.3759876019046436, 0.26459807065210733, 0.29890656040043107, 0.36295419279111385, 0.34960799066654796, 0.3413956860791942],
    mean: 0.009680751909748079, t: 3.236550481233988, df: 54, pT: 0.0020691705312651373,
    ci: [0.003684015844460138, 0.01567748797503602],
    wilcox: { statistic: 394.0, p: 0.0016308383222393393, method: 'asymptotic' },
    pratt: { statistic: 394.0, p: 0.0016308383222393393, method: 'asymptotic' },
    dz: 0.43641637786065895, seedsNeeded: 44, holm: 0.018622534781386237, bh: 0.010345852656325687,
  },
};

// [t, df, scipy.stats.t.cdf(t, df)]
const T_CDF: Array<[number, number, number]> = [[-3.5, 1, 0.08858553278290476], [0.3, 2, 0.6037571695799112], [2.2, 4, 0.9536736649101827], [-1.1, 9, 0.14994138092840315], [4.7, 29, 0.9999708199355577], [-12.0, 5, 3.544746258580761e-05], [0.0, 7, 0.5], [40.0, 3, 0.9999828096596054]];
// [q, df, scipy.stats.t.ppf(q, df)]
const T_PPF: Array<[number, number, number]> = [[0.975, 1, 12.706204736174694], [0.975, 2, 4.302652729749462], [0.975, 4, 2.7764451051977934], [0.975, 29, 2.045229642132703], [0.025, 9, -2.2621571627982053], [0.995, 12, 3.0545395893929013], [0.9, 100, 1.290074761346516]];
// [z, scipy.stats.norm.sf(z)]
const NORM_SF: Array<[number, number]> = [[0.0, 0.5], [1.0, 0.15865525393145707], [-1.5, 0.9331927987311419], [1.959963984540054, 0.025], [5.0, 2.866515718791933e-07], [8.5, 9.47953482220325e-18], [20.0, 2.7536241186061556e-89]];
// [t, df, nc, scipy.stats.nct.cdf(t, df, nc)]
const NCT_CDF: Array<[number, number, number, number]> = [[2.0, 4, 1.5, 0.6189289251396548], [-1.0, 9, 0.5, 0.07564345303987377], [2.26, 9, 3.0, 0.23822902444932975], [12.7, 1, 4.0, 0.7535291216181337], [2.05, 29, 2.8, 0.22916375688723445], [-2.3, 5, -1.0, 0.1660971366896805], [1.0, 20, 0.0, 0.8353717114141453], [4.3, 2, 9.0, 0.01823337933213925], [12.706204736174694, 1, 42.42640687119285, 0.0008724058153932409], [30.0, 5, 25.0, 0.6271515927450702], [45.0, 29, 45.0, 0.4657918930366661], [60.0, 3, 50.0, 0.5553059209447042]];

/** |actual − expected| within `relative` of |expected| (or of 1e-300 for an expected 0). */
function expectClose(actual: number | null | undefined, expected: number, relative = 1e-10): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(relative * Math.max(Math.abs(expected), 1e-300));
}

function differences(c: Reference): number[] {
  return c.x.map((x, i) => x - c.y[i]);
}

describe('distributions', () => {
  it('gives the Student t CDF and quantiles scipy gives', () => {
    for (const [t, df, p] of T_CDF) expectClose(studentTCdf(t, df), p);
    for (const [q, df, t] of T_PPF) expectClose(studentTQuantile(q, df), t);
  });

  it('gives the normal tail to full relative precision far out', () => {
    for (const [z, p] of NORM_SF) expectClose(normalSf(z), p);
  });

  it('gives the noncentral t CDF scipy gives, to 1e-12 absolute, a large noncentrality included', () => {
    for (const [t, df, nc, p] of NCT_CDF) expect(Math.abs(noncentralTCdf(t, df, nc) - p)).toBeLessThan(1e-12);
  });
});

describe('paired t-test', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`matches scipy's ttest_rel and t interval on ${name}`, () => {
      const result = pairedTTest(differences(c))!;
      expect(result.df).toBe(c.df);
      expectClose(result.mean, c.mean, 1e-12);
      expectClose(result.t, c.t);
      expectClose(result.pValue, c.pT);
      expectClose(result.ci[0], c.ci[0]);
      expectClose(result.ci[1], c.ci[1]);
    });
  }

  it('has no test below two pairs, p = 0 for equal non-zero differences and NaN for all zeros', () => {
    expect(pairedTTest([0.1])).toBeNull();
    expect(pairedTTest([0.25, 0.25, 0.25])).toMatchObject({ t: Infinity, pValue: 0, ci: [0.25, 0.25] });
    expect(pairedTTest([0, 0, 0])!.pValue).toBeNaN();
  });
});

describe('Wilcoxon signed-rank test', () => {
  for (const [name, c] of Object.entries(CASES)) {
    for (const zeroMethod of ['wilcox', 'pratt'] as const) {
      it(`matches scipy's wilcoxon (zero_method='${zeroMethod}', method='auto') on ${name}`, () => {
        const expected = c[zeroMethod];
        const result = wilcoxonSignedRank(differences(c), { zeroMethod });
        expect(result.method).toBe(expected.method);
        expect(result.statistic).toBe(expected.statistic);
        expectClose(result.pValue, expected.p, 1e-12);
      });
    }
  }

  it('gives p = 1 when every difference is zero (nothing to rank; scipy enumerates the same)', () => {
    expect(wilcoxonSignedRank([0, 0, 0, 0])).toMatchObject({ pValue: 1, method: 'permutation', n: 0, zeros: 4 });
  });
});

describe('multiple comparisons', () => {
  const names = Object.keys(CASES);
  const pValues = names.map((n) => CASES[n].pT);

  it('adjusts like Holm (by hand in numpy)', () => {
    holmAdjust(pValues).forEach((p, i) => expectClose(p, CASES[names[i]].holm, 1e-12));
  });

  it('adjusts like Benjamini-Hochberg (by hand in numpy)', () => {
    benjaminiHochbergAdjust(pValues).forEach((p, i) => expectClose(p, CASES[names[i]].bh, 1e-12));
  });

  it('leaves comparisons without a p-value out of the family', () => {
    expect(holmAdjust([0.01, null, 0.04, Number.NaN])).toEqual([0.02, null, 0.04, null]);
    expect(benjaminiHochbergAdjust([0.01, null, 0.04])).toEqual([0.02, null, 0.04]);
  });
});

describe('seeds needed', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`finds the smallest n with 80% power that scipy's nct finds on ${name} (d_z = ${c.dz.toFixed(3)})`, () => {
      expect(seedsNeeded(c.dz)).toBe(c.seedsNeeded);
    });
  }

  it('is monotone in power and says nothing for no effect', () => {
    expect(pairedTPower(0.8, 10)).toBeLessThan(pairedTPower(0.8, 20));
    expect(seedsNeeded(0)).toBeNull();
    expect(seedsNeeded(1e-4)).toBeNull();   // ~785,000 pairs: beyond the 100,000 it searches
    expect(seedsNeeded(Infinity)).toBe(2);
    // d_z = 30 at 2 pairs: noncentrality 42.4, beyond where e^(-δ²/2) underflows; 1 - nct.cdf(t.ppf(0.975, 1), 1, 42.43)
    expect(Math.abs(pairedTPower(30, 2) - (1 - 0.0008724058153932409))).toBeLessThan(1e-12);
    expect(seedsNeeded(30)).toBe(2);
  });
});

describe('comparePaired', () => {
  const run = (key: string, value: number | null, status = 'succeeded'): Observation => ({ key, status, value });

  it('pairs by key, seeds in both cells only, and matches the t-test and Wilcoxon on the pairs', () => {
    const c = CASES.n10_zeros;
    const a = c.x.map((x, i) => run(`seed ${i}`, x));
    const b = c.y.map((y, i) => run(`seed ${i}`, y)).reverse();   // order does not matter, keys do
    b.push(run('seed 99', 0.5));
    const result = comparePaired(a, b);
    expect(result.sample.pairs).toHaveLength(10);
    expect(result.sample.unmatched).toEqual({ a: 0, b: 1 });
    expectClose(result.tTest!.pValue, c.pT);
    expectClose(result.wilcoxon!.pValue, c.wilcox.p, 1e-12);
    expectClose(result.effectSize!, c.dz, 1e-12);
    expect(result.seedsNeeded).toBe(c.seedsNeeded);
    expect([result.wins, result.ties, result.losses]).toEqual([6, 2, 2]);
  });

  it('counts diverged, failed and unfinished runs and drops their pairs instead of using their numbers', () => {
    const a = [run('1', 0.9), run('2', 0.8, 'diverged'), run('3', 0.7), run('4', 0.85), run('5', null), run('6', Infinity)];
    const b = [run('1', 0.8), run('2', 0.7), run('3', 0.1, 'failed'), run('4', 0.8, 'running'), run('5', 0.6), run('6', 2)];
    const result = comparePaired(a, b);
    expect(result.sample.pairs).toEqual([{ key: '1', a: 0.9, b: 0.8 }]);
    expect(result.sample.droppedPairs).toBe(5);
    expect(result.sample.missing).toEqual({
      a: { diverged: 1, failed: 0, unfinished: 0, noValue: 2 },
      b: { diverged: 0, failed: 1, unfinished: 1, noValue: 0 },
    });
    expect(result.tTest).toBeNull();   // one pair: no test, no effect size, no seeds estimate
    expect(result.seedsNeeded).toBeNull();
  });

  it('counts wins in the metric\'s direction: lower is better for a loss', () => {
    const a = [run('1', 0.3), run('2', 0.5), run('3', 0.4)];
    const b = [run('1', 0.4), run('2', 0.4), run('3', 0.4)];
    expect(comparePaired(a, b, { better: 'lower' })).toMatchObject({ wins: 1, ties: 1, losses: 1 });
    expect(comparePaired(a, b, { better: 'higher' })).toMatchObject({ wins: 1, ties: 1, losses: 1 });
    expect(comparePaired([run('1', 0.3)], [run('1', 0.4)], { better: 'lower' })).toMatchObject({ wins: 1 });
  });

  it('treats differences unequal only by rounding as ties (accuracies k/n), where scipy would not', () => {
    // In doubles 0.93 - 0.91 = 0.020000000000000018, 0.95 - 0.93 = 0.019999999999999907, 0.88 - 0.9 = -0.020000000000000018:
    // one |difference| of 0.02, ranked 2 with the tolerance; exactly compared, 0.0199... ranks 1 and the others 2.5.
    const a = [run('1', 0.93), run('2', 0.95), run('3', 0.9), run('4', 0.88)];
    const b = [run('1', 0.91), run('2', 0.93), run('3', 0.9), run('4', 0.9)];
    const result = comparePaired(a, b);
    expect(result.ties).toBe(1);
    expect(result.wilcoxon).toMatchObject({ zeros: 1, method: 'permutation', rankSumPositive: 4, rankSumNegative: 2 });
    expect(wilcoxonSignedRank(result.sample.differences)).toMatchObject({ rankSumPositive: 3.5, rankSumNegative: 2.5 });
  });

  it('refuses a cell with two runs on one pairing key', () => {
    expect(() => comparePaired([run('1', 0.5), run('1', 0.6)], [run('1', 0.5)])).toThrow(/two runs with pairing key 1/);
  });
});

describe('server/analysis', () => {
  it('is pure: it imports only its own modules (no Node, no store), so any caller can use it', () => {
    const dir = new URL('../../server/analysis/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const imports = [...readFileSync(new URL(file, dir), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const target of imports) expect(target, `${file} imports ${target}`).toMatch(/^\.\/[a-z-]+\.js$/);
    }
  });
});
