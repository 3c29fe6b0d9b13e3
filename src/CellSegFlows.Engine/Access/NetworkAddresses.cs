using System.Net;
using System.Net.Sockets;

namespace CellSegFlows.Engine.Access;

/// <summary>Which IP addresses are on the public internet (not loopback, private, link-local, shared, multicast or reserved).</summary>
public static class NetworkAddresses
{
    /// <summary>True for a globally routable unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                   // "this network"
                || b[0] == 10                                    // private
                || b[0] == 127                                   // loopback
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)      // carrier-grade NAT (shared)
                || (b[0] == 169 && b[1] == 254)                   // link-local (cloud metadata services)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)       // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)        // IETF protocol assignments
                || (b[0] == 192 && b[1] == 168)                   // private
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))    // benchmarking
                || b[0] >= 224);                                  // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                          // unique local fc00::/7
                || address.IsIPv6Teredo
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8));   // documentation
        }

        return false;
    }
}
