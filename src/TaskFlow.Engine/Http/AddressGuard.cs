using System.Net;
using System.Net.Sockets;

namespace TaskFlow.Engine.Http;

/// <summary>
/// Decides whether an outgoing request may connect to an address. It is applied to every address
/// a connection is made to (not only to the URL's host name), so a name that resolves, or later
/// re-resolves, to a private address is refused too.
/// </summary>
internal sealed class AddressGuard(HttpRequestOptions options)
{
    /// <summary>Why connecting to <paramref name="address"/> is refused, naming the setting that allows it; null when allowed.</summary>
    public string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return options.AllowLoopback ? null : Refused(address, "a loopback address", "AllowLoopback");
        }

        if (IsLinkLocal(address))
        {
            return options.AllowLinkLocal ? null : Refused(address, "a link-local address", "AllowLinkLocal");
        }

        if (IsPrivate(address))
        {
            return options.AllowPrivateNetworks ? null : Refused(address, "a private network address", "AllowPrivateNetworks");
        }

        return address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || IsMulticast(address)
            ? $"Refused to connect to {address}: not a unicast address."
            : null;
    }

    private static string Refused(IPAddress address, string what, string setting) =>
        $"Refused to connect to {address}, {what}: outgoing requests there are blocked unless TaskFlow:Http:{setting} is true.";

    private static bool IsLinkLocal(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork
        ? address.GetAddressBytes() is [169, 254, ..]
        : address.IsIPv6LinkLocal;

    private static bool IsPrivate(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return (address.GetAddressBytes()[0] & 0xFE) == 0xFC || address.IsIPv6SiteLocal;
        }

        return address.GetAddressBytes() switch
        {
            [10, ..] => true,
            [172, var b, ..] when b is >= 16 and <= 31 => true,
            [192, 168, ..] => true,
            [100, var b, ..] when b is >= 64 and <= 127 => true,
            [0, ..] => true,
            _ => false,
        };
    }

    private static bool IsMulticast(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? address.IsIPv6Multicast
        : address.GetAddressBytes()[0] is >= 224 and <= 239;
}
