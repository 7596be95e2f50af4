use super::throughput::slope_of;

#[test]
fn lag_slope_is_the_least_squares_trend() {
    assert_eq!(slope_of(&[(0.0, 0.0), (1.0, 10.0), (2.0, 20.0)]), 10.0);
    assert_eq!(slope_of(&[(0.0, 5.0)]), 0.0);
    let flat = slope_of(&[(0.0, 5.0), (1.0, 5.0), (2.0, 5.0)]);
    assert_eq!(flat, 0.0);
}
