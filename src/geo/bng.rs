//! British National Grid: a WGS84 position (as a tablet's receiver gives it) as the Ordnance
//! Survey easting and northing a British police force writes down, and as a grid reference
//! ("SP 06818 86676").
//!
//! The conversion is Ordnance Survey's own recipe from "A guide to coordinate systems in Great
//! Britain": the position as Cartesian coordinates on the GRS80 ellipsoid, a seven-parameter
//! Helmert transformation to OSGB36 (Airy 1830), back to latitude and longitude on Airy 1830,
//! then the National Grid's Transverse Mercator projection (the guide's equations C1–C4 and
//! its Annex C worked example, reproduced to the millimetre by the tests). The Helmert step
//! is the guide's "around 5 metres" transformation, not OSTN15: against OS's forty OSTN15 test
//! points the grid position is 1.9 m off on average, at most 2.7 m on the mainland and 4.9 m on
//! the Scillies and the Outer Hebrides. That is inside a handheld fix's accuracy, without the
//! OSTN15 grid (a 15 MB table, or a build-time map of 876,951 shifts) on every tablet.
//!
//! Knows nothing of records: callers pass degrees.

/// The grid's false origin and extent: positions outside it have no grid reference.
const MAX_EASTING: f64 = 700_000.0;
const MAX_NORTHING: f64 = 1_300_000.0;

// GRS80 (WGS84 for this purpose, as OS treats them alike at this accuracy).
const GRS80_A: f64 = 6_378_137.000;
const GRS80_B: f64 = 6_356_752.314_140;
// Airy 1830, OSGB36's ellipsoid.
const AIRY_A: f64 = 6_377_563.396;
const AIRY_B: f64 = 6_356_256.909;

// The National Grid's projection.
const F0: f64 = 0.999_601_271_7;
const LAT0_DEG: f64 = 49.0;
const LON0_DEG: f64 = -2.0;
const E0: f64 = 400_000.0;
const N0: f64 = -100_000.0;

/// WGS84 (ETRS89) to OSGB36 Helmert parameters from OS's guide (table 4): translations in
/// metres, scale in parts per million, rotations in arc seconds.
const TX: f64 = -446.448;
const TY: f64 = 125.157;
const TZ: f64 = -542.060;
const S_PPM: f64 = 20.4894;
const RX_SEC: f64 = -0.1502;
const RY_SEC: f64 = -0.2470;
const RZ_SEC: f64 = -0.8421;

/// A position on the British National Grid, in metres east and north of the false origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridPosition {
    pub easting: f64,
    pub northing: f64,
}

impl GridPosition {
    /// Easting and northing to the metre, as a force's systems and a debrief write them.
    pub fn rounded(self) -> (i64, i64) {
        (self.easting.round() as i64, self.northing.round() as i64)
    }

    /// The grid reference with its two-letter 100 km square and `digits` figures in all (2 to
    /// 10, even; 10 is to the metre), e.g. `SP 06818 86676`. None off the grid.
    pub fn grid_reference(self, digits: usize) -> Option<String> {
        let digits = digits.clamp(2, 10) & !1;
        let (e, n) = (self.easting.floor(), self.northing.floor());
        if !(0.0..MAX_EASTING).contains(&e) || !(0.0..MAX_NORTHING).contains(&n) {
            return None;
        }
        let (e100, n100) = ((e / 100_000.0) as i64, (n / 100_000.0) as i64);
        // The 500 km square, then the 100 km square within it; each letter from a 5×5
        // grid of A–Z without I, read from the top-left.
        let letter = |i: i64| -> char {
            let c = b'A' + i as u8;
            (if c >= b'I' { c + 1 } else { c }) as char
        };
        let first = (19 - n100) / 5 * 5 + (e100 + 10) / 5;
        let second = (19 - n100) * 5 % 25 + e100 % 5;
        let half = digits / 2;
        let scale = 10f64.powi(5 - half as i32);
        let fe = ((e % 100_000.0) / scale).floor() as i64;
        let fn_ = ((n % 100_000.0) / scale).floor() as i64;
        Some(format!(
            "{}{} {:0half$} {:0half$}",
            letter(first),
            letter(second),
            fe,
            fn_,
            half = half
        ))
    }
}

/// The British National Grid position of a WGS84 latitude and longitude (degrees), or None
/// when it is off the grid (outside Great Britain and its waters, where the grid means
/// nothing) or not a number.
pub fn to_grid(lat: f64, lon: f64) -> Option<GridPosition> {
    if !lat.is_finite() || !lon.is_finite() || !(48.0..=62.0).contains(&lat) || !(-10.0..=4.0).contains(&lon) {
        return None;
    }
    let (lat_osgb, lon_osgb) = wgs84_to_osgb36(lat.to_radians(), lon.to_radians());
    let p = project(lat_osgb, lon_osgb);
    ((0.0..MAX_EASTING).contains(&p.easting) && (0.0..MAX_NORTHING).contains(&p.northing)).then_some(p)
}

/// Latitude and longitude (radians) on GRS80 to latitude and longitude on Airy 1830, by the
/// Helmert transformation of the Cartesian coordinates (height 0: a record has none).
fn wgs84_to_osgb36(lat: f64, lon: f64) -> (f64, f64) {
    let e2 = 1.0 - (GRS80_B * GRS80_B) / (GRS80_A * GRS80_A);
    let nu = GRS80_A / (1.0 - e2 * lat.sin().powi(2)).sqrt();
    let x1 = nu * lat.cos() * lon.cos();
    let y1 = nu * lat.cos() * lon.sin();
    let z1 = (1.0 - e2) * nu * lat.sin();

    let s = S_PPM * 1e-6;
    let (rx, ry, rz) = (
        (RX_SEC / 3600.0).to_radians(),
        (RY_SEC / 3600.0).to_radians(),
        (RZ_SEC / 3600.0).to_radians(),
    );
    let x2 = TX + (1.0 + s) * x1 - rz * y1 + ry * z1;
    let y2 = TY + rz * x1 + (1.0 + s) * y1 - rx * z1;
    let z2 = TZ - ry * x1 + rx * y1 + (1.0 + s) * z1;

    // Back to latitude and longitude on Airy 1830: the guide's iteration (B3–B6).
    let e2 = 1.0 - (AIRY_B * AIRY_B) / (AIRY_A * AIRY_A);
    let p = (x2 * x2 + y2 * y2).sqrt();
    let mut phi = (z2 / (p * (1.0 - e2))).atan();
    for _ in 0..10 {
        let nu = AIRY_A / (1.0 - e2 * phi.sin().powi(2)).sqrt();
        let next = ((z2 + e2 * nu * phi.sin()) / p).atan();
        let done = (next - phi).abs() < 1e-12;
        phi = next;
        if done {
            break;
        }
    }
    (phi, y2.atan2(x2))
}

/// The National Grid's Transverse Mercator projection of latitude and longitude (radians) on
/// Airy 1830: the guide's equations C1–C4.
fn project(phi: f64, lambda: f64) -> GridPosition {
    let (a, b) = (AIRY_A, AIRY_B);
    let (phi0, lambda0) = (LAT0_DEG.to_radians(), LON0_DEG.to_radians());
    let e2 = 1.0 - (b * b) / (a * a);
    let n = (a - b) / (a + b);
    let (n2, n3) = (n * n, n * n * n);
    let (sin, cos, tan) = (phi.sin(), phi.cos(), phi.tan());
    let nu = a * F0 / (1.0 - e2 * sin * sin).sqrt();
    let rho = a * F0 * (1.0 - e2) / (1.0 - e2 * sin * sin).powf(1.5);
    let eta2 = nu / rho - 1.0;

    let (dp, sp) = (phi - phi0, phi + phi0);
    let m = b
        * F0
        * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * dp - (3.0 * n + 3.0 * n2 + 2.625 * n3) * dp.sin() * sp.cos()
            + (1.875 * n2 + 1.875 * n3) * (2.0 * dp).sin() * (2.0 * sp).cos()
            - (35.0 / 24.0) * n3 * (3.0 * dp).sin() * (3.0 * sp).cos());

    let t2 = tan * tan;
    let t4 = t2 * t2;
    let i = m + N0;
    let ii = nu / 2.0 * sin * cos;
    let iii = nu / 24.0 * sin * cos.powi(3) * (5.0 - t2 + 9.0 * eta2);
    let iiia = nu / 720.0 * sin * cos.powi(5) * (61.0 - 58.0 * t2 + t4);
    let iv = nu * cos;
    let v = nu / 6.0 * cos.powi(3) * (nu / rho - t2);
    let vi = nu / 120.0 * cos.powi(5) * (5.0 - 18.0 * t2 + t4 + 14.0 * eta2 - 58.0 * t2 * eta2);

    let l = lambda - lambda0;
    GridPosition {
        northing: i + ii * l.powi(2) + iii * l.powi(4) + iiia * l.powi(6),
        easting: E0 + iv * l + v * l.powi(3) + vi * l.powi(5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dms(d: f64, m: f64, s: f64) -> f64 {
        d + m / 60.0 + s / 3600.0
    }

    #[test]
    fn the_projection_reproduces_ordnance_surveys_worked_example_to_the_millimetre() {
        // "A guide to coordinate systems in Great Britain", Annex C: 52°39'27.2531"N
        // 1°43'4.5177"E on Airy 1830 is E 651409.903, N 313177.270.
        let p = project(
            dms(52.0, 39.0, 27.2531).to_radians(),
            dms(1.0, 43.0, 4.5177).to_radians(),
        );
        assert!((p.easting - 651_409.903).abs() < 0.001, "{p:?}");
        assert!((p.northing - 313_177.270).abs() < 0.001, "{p:?}");
    }

    /// Ordnance Survey's OSTN15 developer-pack test points, all forty (TestInput_ETRStoOSGB and
    /// TestOutput_ETRStoOSGB): (point, ETRS89 latitude, longitude, OSGB36 easting and northing
    /// by OSTN15, to the millimetre).
    const OSTN15_POINTS: [(&str, f64, f64, f64, f64); 40] = [
        ("TP01", 49.92226394, -6.29977752, 91492.146, 11318.804),
        ("TP02", 49.96006138, -5.2030461, 170370.718, 11572.405),
        ("TP03", 50.43885826, -4.108645636, 250359.811, 62016.569),
        ("TP04", 50.57563665, -1.297822772, 449816.371, 75335.861),
        ("TP05", 50.93127938, -1.450514337, 438710.920, 114792.250),
        ("TP06", 51.4007822, -3.551283492, 292184.870, 168003.465),
        ("TP07", 51.37447026, 1.444547304, 639821.835, 169565.858),
        ("TP08", 51.42754743, -2.544076183, 362269.991, 169978.690),
        ("TP09", 51.48936565, -0.119925572, 530624.974, 178388.464),
        ("TP10", 51.85890896, -4.30852477, 241124.584, 220332.641),
        ("TP11", 51.89436637, 0.89724327, 599445.590, 225722.826),
        ("TP12", 52.25529382, -2.154586144, 389544.190, 261912.153),
        ("TP13", 52.25160951, -0.91248957, 474335.969, 262047.755),
        ("TP14", 52.75136687, 0.401535471, 562180.547, 319784.995),
        ("TP15", 52.96219109, -1.197476559, 454002.834, 340834.943),
        ("TP16", 53.3448028, -2.640493208, 357455.843, 383290.436),
        ("TP17", 53.41628516, -4.289180698, 247958.971, 393492.909),
        ("TP18", 53.41630925, -4.289177929, 247959.241, 393495.583),
        ("TP19", 53.77911026, -3.040454907, 331534.564, 431920.794),
        ("TP20", 53.8002152, -1.663791682, 422242.186, 433818.701),
        ("TP21", 54.08666318, -4.634521682, 227778.330, 468847.388),
        ("TP22", 54.11685144, -0.077731332, 525745.670, 470703.214),
        ("TP23", 54.32919541, -4.388491181, 244780.636, 495254.887),
        ("TP24", 54.8954234, -2.938277411, 339921.145, 556034.761),
        ("TP25", 54.97912274, -1.616576852, 424639.355, 565012.703),
        ("TP26", 55.85399953, -4.296490163, 256340.925, 664697.269),
        ("TP27", 55.92478266, -3.294792193, 319188.434, 670947.534),
        ("TP28", 57.00606696, -5.828366919, 167634.202, 797067.144),
        ("TP29", 57.13902519, -2.048560307, 397160.491, 805349.736),
        ("TP30", 57.48625001, -4.219263986, 267056.768, 846176.972),
        ("TP31", 57.81351838, -8.578544561, 9587.909, 899448.996),
        ("TP32", 58.21262247, -7.592555606, 71713.132, 938516.404),
        ("TP33", 58.51560361, -6.260914555, 151968.652, 966483.780),
        ("TP34", 58.58120461, -3.726310221, 299721.891, 967202.992),
        ("TP35", 59.03743871, -3.214540011, 330398.323, 1017347.016),
        ("TP36", 59.09335035, -4.417576746, 261596.778, 1025447.602),
        ("TP37", 59.09671617, -5.827993398, 180862.461, 1029604.114),
        ("TP38", 59.53470794, -1.625169661, 421300.525, 1072147.239),
        ("TP39", 59.85409914, -1.274869104, 440725.073, 1107878.448),
        ("TP40", 60.13308092, -2.073828228, 395999.668, 1138728.951),
    ];

    #[test]
    fn ordnance_surveys_forty_test_points_land_within_the_helmert_steps_stated_accuracy() {
        let mut total = 0.0;
        for (name, lat, lon, e, n) in OSTN15_POINTS {
            let p = to_grid(lat, lon).unwrap();
            let off = ((p.easting - e).powi(2) + (p.northing - n).powi(2)).sqrt();
            // OS: the Helmert transformation is good to "around 5 metres"; measured, at most
            // 4.9 m (the Scillies and the Outer Hebrides) and 2.7 m on the mainland.
            assert!(off < 5.0, "{name}: {p:?} is {off:.2} m from E {e} N {n}");
            if ["TP08", "TP12", "TP13", "TP15", "TP16", "TP20"].contains(&name) {
                assert!(off < 2.5, "{name}, the Midlands and the North: {off:.2} m");
            }
            total += off;
        }
        let mean = total / OSTN15_POINTS.len() as f64;
        assert!(mean < 2.0, "mean {mean:.2} m");
    }

    #[test]
    fn birmingham_reads_as_the_right_grid_square_and_the_sea_off_the_grid_reads_as_nothing() {
        // Victoria Square, Birmingham: SP 06x 86x.
        let p = to_grid(52.4800, -1.9030).unwrap();
        let r = p.grid_reference(10).unwrap();
        assert!(r.starts_with("SP 06"), "{r}");
        assert_eq!(p.grid_reference(6).unwrap().len(), "SP 068 866".len());
        assert_eq!(p.rounded().0, p.easting.round() as i64);
        // The OS guide's worked example's grid reference: E 651409, N 313177 is TG 51409 13177.
        let tg = GridPosition {
            easting: 651_409.903,
            northing: 313_177.270,
        };
        assert_eq!(tg.grid_reference(10).unwrap(), "TG 51409 13177");
        assert_eq!(
            GridPosition {
                easting: 216_000.0,
                northing: 771_000.0
            }
            .grid_reference(4)
            .unwrap(),
            "NN 16 71",
            "Ben Nevis's square"
        );
        assert!(to_grid(40.4, -3.7).is_none(), "Madrid is off the grid");
        assert!(to_grid(f64::NAN, 0.0).is_none());
    }
}
