using IronOrleans.Grains.Model;
using IronOrleans.Grains.Validation;

namespace IronOrleans.Grains.Tests;

public class ValidationTests
{
    private static NetworkInterfaceSpec Spec(params string[] ips) => new() { Network = "net", Node = "partition.node-1", Ips = ips };

    [Theory]
    [InlineData("a", true)]
    [InlineData("nic-0", true)]
    [InlineData("-nic", false)]
    [InlineData("nic-", false)]
    [InlineData("Nic", false)]
    [InlineData("", false)]
    [InlineData("a.b", false)]
    public void DnsLabel(string value, bool valid) => Assert.Equal(valid, Validate.IsDnsLabel(value));

    [Fact]
    public void Spec_Valid_HasNoErrors()
    {
        var errors = new FieldErrors();
        Validate.NetworkInterfaceSpec(Spec("10.0.0.1", "fd00::1") with { Prefixes = ["10.1.0.0/24"], Hostname = "vm-1" }, errors);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.Errors));
    }

    [Theory]
    [InlineData("spec.ips", new string[0])]
    [InlineData("spec.ips[0]", new[] { "10.0.0.300" })]
    [InlineData("spec.ips[0]", new[] { "10.1" })]
    [InlineData("spec.ips[1]", new[] { "10.0.0.1", "10.0.0.2" })]
    public void Spec_BadIps_NameTheField(string field, string[] ips)
    {
        var errors = new FieldErrors();
        Validate.NetworkInterfaceSpec(Spec(ips), errors);
        Assert.Contains(errors.Errors, e => e.Field == field);
    }

    [Fact]
    public void Spec_PrefixWithHostBits_IsRejected()
    {
        var errors = new FieldErrors();
        Validate.NetworkInterfaceSpec(Spec("10.0.0.1") with { Prefixes = ["10.1.0.1/24"] }, errors);
        Assert.Equal("spec.prefixes[0]", Assert.Single(errors.Errors).Field);
    }

    [Fact]
    public void ProviderIds_RoundTrip()
    {
        var uid = Guid.NewGuid();
        var id = ProviderIds.ForNetwork(new ResourceName("ns", "net"), new Vni(4242), uid);
        Assert.Equal($"ironcore-net://ns/net/4242/{uid}", id);
        Assert.True(ProviderIds.TryParseNetwork(id, out var name, out var vni, out var parsedUid));
        Assert.Equal(("ns", "net", 4242u, uid), (name.Namespace, name.Name, vni.Value, parsedUid));
        Assert.False(ProviderIds.TryParseNetwork("ironcore-net://ns/net/x/" + uid, out _, out _, out _));
        Assert.Equal($"ironcore-net://ns/nic/node-1/{uid}", ProviderIds.ForNetworkInterface(new ResourceName("ns", "nic"), "node-1", uid));
    }

    [Theory]
    [InlineData("ns/name", true)]
    [InlineData("ns/", false)]
    [InlineData("/name", false)]
    [InlineData("a/b/c", false)]
    public void ResourceName_Parse(string key, bool valid) => Assert.Equal(valid, ResourceName.TryParse(key, out _));
}
