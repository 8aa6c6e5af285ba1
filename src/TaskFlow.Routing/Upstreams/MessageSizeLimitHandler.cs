using System.Net;
using System.Runtime.CompilerServices;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// Puts every response body of a Streamable HTTP server behind a <see cref="MessageSizeLimitStream"/>:
/// a JSON answer or an event on the stream larger than the limit fails the read naming the limit.
/// The SDK reports such a POST as one that "completed without a reply"; a call that
/// <see cref="Watch"/>es learns the real reason.
/// </summary>
internal sealed class MessageSizeLimitHandler(long limit) : DelegatingHandler
{
    private static readonly AsyncLocal<StrongBox<MessageTooLargeException?>?> Watching = new();

    /// <summary>From here on in this async flow, a response cut off for its size is recorded in the box returned.</summary>
    public static StrongBox<MessageTooLargeException?> Watch() => Watching.Value = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var watcher = Watching.Value;
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentLength > limit && response.IsSuccessStatusCode)
        {
            response.Dispose();
            var tooLarge = new MessageTooLargeException(limit);
            watcher?.Value = tooLarge;
            throw tooLarge;
        }

        response.Content = new LimitedContent(response.Content, limit, failure => watcher?.Value = failure);
        return response;
    }

    private sealed class LimitedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly long _limit;
        private readonly Action<MessageTooLargeException> _failed;

        public LimitedContent(HttpContent inner, long limit, Action<MessageTooLargeException> failed)
        {
            _inner = inner;
            _limit = limit;
            _failed = failed;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync() =>
            new MessageSizeLimitStream(await _inner.ReadAsStreamAsync(), _limit, _failed);

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            new MessageSizeLimitStream(await _inner.ReadAsStreamAsync(cancellationToken), _limit, _failed);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await (await CreateContentReadStreamAsync()).CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
