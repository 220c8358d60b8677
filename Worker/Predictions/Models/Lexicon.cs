namespace KrxSignal.Worker.Predictions.Models;

/// <summary>
/// The keyword lists of the lexicon model (docs/predictions.md explains the choice). Korean terms match as
/// substrings, because Korean attaches particles and endings to the stem ("급등했다", "급등세");
/// English terms match at the start of a word, so "surge" also finds "surged" and "surges".
/// Weight 2 marks words that by themselves move a price (limit up, earnings shock); 1 is an ordinary lean.
/// </summary>
public static class Lexicon
{
    public static IReadOnlyList<(string Term, int Weight)> KoreanUp { get; } =
    [
        ("상한가", 2), ("급등", 2), ("어닝서프라이즈", 2), ("어닝 서프라이즈", 2), ("사상 최대", 2), ("사상최대", 2),
        ("최대 실적", 2), ("수주", 1), ("호실적", 2), ("흑자전환", 2), ("흑자 전환", 2), ("상승", 1), ("강세", 1),
        ("신고가", 1), ("호재", 1), ("증가", 1), ("개선", 1), ("성장", 1), ("목표가 상향", 2), ("상향", 1),
        ("매수", 1), ("자사주 매입", 1), ("배당 확대", 1), ("승인", 1), ("계약 체결", 1), ("반등", 1), ("돌파", 1),
    ];

    public static IReadOnlyList<(string Term, int Weight)> KoreanDown { get; } =
    [
        ("하한가", 2), ("급락", 2), ("어닝쇼크", 2), ("어닝 쇼크", 2), ("적자전환", 2), ("적자 전환", 2), ("폭락", 2),
        ("횡령", 2), ("배임", 2), ("상장폐지", 2), ("거래정지", 2), ("유상증자", 1), ("하락", 1), ("약세", 1),
        ("신저가", 1), ("악재", 1), ("감소", 1), ("부진", 1), ("우려", 1), ("목표가 하향", 2), ("하향", 1),
        ("매도", 1), ("소송", 1), ("리콜", 1), ("제재", 1), ("적자", 1), ("손실", 1), ("철회", 1),
    ];

    public static IReadOnlyList<(string Term, int Weight)> EnglishUp { get; } =
    [
        ("soar", 2), ("surg", 2), ("record high", 2), ("beat", 1), ("upgrad", 2), ("raise", 1), ("rall", 1),
        ("gain", 1), ("jump", 1), ("rise", 1), ("rose", 1), ("growth", 1), ("profit", 1), ("buyback", 1),
        ("approv", 1), ("contract", 1), ("outperform", 1), ("strong", 1), ("rebound", 1),
    ];

    public static IReadOnlyList<(string Term, int Weight)> EnglishDown { get; } =
    [
        ("plung", 2), ("plummet", 2), ("crash", 2), ("downgrad", 2), ("fraud", 2), ("delist", 2), ("miss", 1),
        ("cut", 1), ("fall", 1), ("fell", 1), ("drop", 1), ("declin", 1), ("loss", 1), ("weak", 1),
        ("lawsuit", 1), ("recall", 1), ("probe", 1), ("underperform", 1), ("slump", 1), ("warn", 1),
    ];
}
