using IronOrleans.Gateway.Validation;
using IronOrleans.Grains.Validation;

namespace IronOrleans.Gateway.Tests.Errors;

/// <summary>Edge parsers with no cluster: label selectors and page tokens.</summary>
public sealed class EdgeParsingTests
{
    [Theory]
    [InlineData("", "a=1", true)]
    [InlineData("a=1", "a=1", true)]
    [InlineData("a==1", "a=1", true)]
    [InlineData("a=1,b=2", "a=1", false)]
    [InlineData("a!=1", "a=1", false)]
    [InlineData("a!=1", "b=1", true)]
    [InlineData(" a = 1 , b != 3 ", "a=1,b=2", true)]
    [InlineData("example.com/machine-id=m-1", "example.com/machine-id=m-1", true)]
    public void LabelSelector_Matches(string selector, string labels, bool expected)
    {
        var errors = new FieldErrors();
        var parsed = LabelSelector.Parse(selector, errors);
        Assert.True(errors.IsEmpty);
        var map = labels.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(expected, parsed!.Matches(map));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("=1")]
    [InlineData("a=1,,b=2")]
    [InlineData("a=b=c")]
    [InlineData("bad key=1")]
    [InlineData("a=-bad-")]
    public void LabelSelector_Malformed_ReportsTheField(string selector)
    {
        var errors = new FieldErrors();
        Assert.Null(LabelSelector.Parse(selector, errors));
        Assert.Equal("label_selector", Assert.Single(errors.Errors).Field);
    }

    [Theory]
    [InlineData("net-7")]
    [InlineData("a/b")]
    public void PageToken_RoundTrips(string continuation)
    {
        var token = PageTokens.Encode(continuation);
        Assert.True(PageTokens.TryDecode(token, out var decoded));
        Assert.Equal(continuation, decoded);
    }

    [Theory]
    [InlineData("!!")]
    [InlineData("bmV0LTc")] // base64url of "net-7" without the version tag
    public void PageToken_Foreign_IsRejected(string token) => Assert.False(PageTokens.TryDecode(token, out _));

    [Fact]
    public void PageToken_EmptyMeansFirstAndLastPage()
    {
        Assert.Equal(string.Empty, PageTokens.Encode(null));
        Assert.True(PageTokens.TryDecode(string.Empty, out var decoded));
        Assert.Null(decoded);
    }
}
