namespace KrxSignal.Worker.Tests.StockApi;

/// <summary>Answers shaped as docs/stock-api.yaml describes them.</summary>
public static class Payloads
{
    public const string Portfolio = """
        {"as_of":"2026-11-20T10:01:00+09:00","cash_krw":12500000,"total_value_krw":48200000,
         "holdings":[{"ticker":"005930","name":"삼성전자","quantity":120,"avg_price":71200,"current_price":74100,"market_value":8892000,"pnl_pct":4.07,"weight_pct":18.4}]}
        """;

    public const string News = """
        {"date":"2026-11-20","generated_at":"2026-11-20T10:00:12+09:00",
         "tickers":[{"ticker":"005930","name":"삼성전자","score":0.42,"article_count":2,"positive":1,"negative":0,"neutral":1}],
         "articles":[
           {"id":"n-7245","ticker":"005930","title":"삼성전자, 4분기 HBM 수주 급증","summary":"HBM 추가 수주","source":"연합뉴스","url":"https://news.example/7245","published_at":"2026-11-20T09:41:00+09:00","sentiment":0.6},
           {"id":"n-7246","ticker":null,"title":"코스피 혼조","published_at":"2026-11-20T09:45:00+09:00","sentiment":null}]}
        """;

    public const string Screener = """
        {"mode":"preview","run_at":"2026-11-20T10:01:03+09:00",
         "results":[{"rank":1,"ticker":"000660","name":"SK하이닉스","score":87.5,"factors":{"momentum":0.91},"close":182000,"change_pct":2.3}]}
        """;
}
