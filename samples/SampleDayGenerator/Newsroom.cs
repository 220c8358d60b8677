namespace KrxSignal.SampleDayGenerator;

/// <summary>The synthetic market: a handful of KRX tickers and headline templates of known tone.</summary>
internal static class Newsroom
{
    public static readonly (string Ticker, string Name, string English)[] Stocks =
    [
        ("005930", "삼성전자", "Samsung Electronics"),
        ("000660", "SK하이닉스", "SK hynix"),
        ("035420", "NAVER", "Naver"),
        ("005380", "현대차", "Hyundai Motor"),
        ("051910", "LG화학", "LG Chem"),
        ("035720", "카카오", "Kakao"),
        ("068270", "셀트리온", "Celltrion"),
    ];

    /// <summary>Tickers the sample portfolio holds: sells are possible only for these.</summary>
    public static readonly string[] Held = ["005930", "000660", "035720", "005380"];

    public static readonly string[] PositiveKorean =
    [
        "{0}, 4분기 HBM 수주 급증", "{0} 사상 최대 실적 전망", "{0} 목표주가 상향…호실적 기대",
        "{0}, 대규모 공급 계약 체결", "{0} 신제품 흥행에 주가 강세",
    ];

    public static readonly string[] NegativeKorean =
    [
        "{0}, 영업이익 급감에 주가 하락", "{0} 대규모 리콜 결정", "{0} 실적 부진 우려…목표가 하향",
        "{0} 소송 패소로 손실 불가피", "{0} 공장 가동 중단에 약세",
    ];

    public static readonly string[] PositiveEnglish =
    [
        "{0} shares surge on record quarterly profit", "{0} wins major supply contract",
        "Analysts upgrade {0} after strong earnings beat",
    ];

    public static readonly string[] NegativeEnglish =
    [
        "{0} shares plunge after profit warning", "{0} faces lawsuit over patent dispute",
        "Brokers downgrade {0} on weak demand",
    ];

    public static readonly string[] Unmatched =
    [
        "코스피, 외국인 매수에 상승 출발", "원·달러 환율 하락 마감", "Bank of Korea holds base rate steady",
        "반도체 업황 회복 기대감 확산",
    ];

    public static readonly string[] Sources = ["연합뉴스", "한국경제", "매일경제", "Reuters", "Korea Herald"];
}
