//! Reading the raw body once, within a size limit and a time limit.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use http::{HeaderMap, header};
use http_body::Body as HttpBody;
use http_body_util::BodyExt;

use crate::BoxError;
use crate::rejection::Rejection;

/// The most reserved for a body before its bytes arrive.
const INITIAL_BUFFER: usize = 64 * 1024;

/// Reads the whole body into one `Bytes`.
///
/// A declared `Content-Length` over the limit is refused before reading anything; otherwise the
/// body is read frame by frame and refused as soon as it passes the limit, so a lying or absent
/// `Content-Length` cannot make us buffer more. A single-frame body is kept as is, without a copy.
pub(crate) async fn read<B>(
    body: B,
    headers: &HeaderMap,
    limit: usize,
    timeout: Option<Duration>,
) -> Result<Bytes, Rejection>
where
    B: HttpBody,
    B::Error: Into<BoxError>,
{
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Rejection::PayloadTooLarge);
    }
    if body.size_hint().lower() > limit as u64 {
        return Err(Rejection::PayloadTooLarge);
    }
    let capacity = declared.unwrap_or(0).min(limit as u64) as usize;
    let mut collect = std::pin::pin!(collect(body, limit, capacity));
    // A body usually arrives with its headers: read what is there before arming a timer (which
    // reads the clock and registers with the runtime), and time only a body still to come.
    let raw = match poll_once(collect.as_mut()).await {
        Poll::Ready(raw) => raw?,
        Poll::Pending => match timeout {
            Some(timeout) => {
                // Boxed, on this path only: a timer would otherwise size every read's future.
                let mut timer = Box::pin(tokio::time::sleep(timeout));
                std::future::poll_fn(|cx| match collect.as_mut().poll(cx) {
                    Poll::Ready(raw) => Poll::Ready(raw),
                    Poll::Pending => timer
                        .as_mut()
                        .poll(cx)
                        .map(|()| Err(Rejection::BodyTimeout)),
                })
                .await?
            }
            None => collect.await?,
        },
    };
    // HTTP servers enforce this on the wire; a body handed over in-process may still lie, and
    // the bytes we verify must be the ones declared.
    if declared.is_some_and(|len| len != raw.len() as u64) {
        return Err(Rejection::LengthMismatch);
    }
    Ok(raw)
}

/// Polls `future` once.
async fn poll_once<F: Future>(mut future: Pin<&mut F>) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await
}

async fn collect<B>(body: B, limit: usize, capacity: usize) -> Result<Bytes, Rejection>
where
    B: HttpBody,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut buffer: Option<BytesMut> = None;
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| Rejection::BodyRead(e.into()))?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers carry nothing we verify
        };
        len = len.saturating_add(data.remaining());
        if len > limit {
            return Err(Rejection::PayloadTooLarge);
        }
        match (&mut first, &mut buffer) {
            (None, None) => first = Some(data.copy_to_bytes(data.remaining())),
            (Some(head), None) => {
                // Only what has arrived, up to 64 KiB, is reserved up front: a slow client that
                // declares a large body and trickles it holds little.
                let mut joined = BytesMut::with_capacity(capacity.min(INITIAL_BUFFER).max(len));
                joined.extend_from_slice(head);
                joined.extend_from_slice(&data.copy_to_bytes(data.remaining()));
                first = None;
                buffer = Some(joined);
            }
            (_, Some(joined)) => {
                if joined.capacity() - joined.len() < data.remaining() {
                    // Grow once to the declared length when there is one.
                    let want = capacity.saturating_sub(joined.len()).max(data.remaining());
                    joined.reserve(want);
                }
                while data.has_remaining() {
                    let chunk = data.chunk();
                    let n = chunk.len();
                    joined.extend_from_slice(chunk);
                    data.advance(n);
                }
            }
        }
    }
    Ok(match (first, buffer) {
        (_, Some(joined)) => joined.freeze(),
        (Some(single), None) => single,
        (None, None) => Bytes::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Frame;
    use http_body_util::{Full, StreamBody};

    fn chunked(
        chunks: &[&'static [u8]],
    ) -> impl HttpBody<Data = Bytes, Error = std::convert::Infallible> + use<> {
        let frames: Vec<Result<Frame<Bytes>, std::convert::Infallible>> = chunks
            .iter()
            .map(|c| Ok(Frame::data(Bytes::from_static(c))))
            .collect();
        StreamBody::new(futures_util::stream::iter(frames))
    }

    #[tokio::test]
    async fn single_frame_is_not_copied() {
        let original = Bytes::from(vec![7u8; 1000]);
        let read = read(Full::new(original.clone()), &HeaderMap::new(), 2000, None)
            .await
            .unwrap();
        assert_eq!(read.as_ptr(), original.as_ptr());
    }

    #[tokio::test]
    async fn frames_are_joined() {
        let read = read(chunked(&[b"ab", b"cd", b"e"]), &HeaderMap::new(), 5, None)
            .await
            .unwrap();
        assert_eq!(&read[..], b"abcde");
    }

    #[tokio::test]
    async fn limit_holds_without_content_length() {
        let result = read(chunked(&[b"ab", b"cd", b"ef"]), &HeaderMap::new(), 5, None).await;
        assert!(matches!(result, Err(Rejection::PayloadTooLarge)));
    }

    #[tokio::test]
    async fn declared_length_over_limit_is_refused_up_front() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, "6".parse().unwrap());
        let result = read(chunked(&[b"a"]), &headers, 5, None).await;
        assert!(matches!(result, Err(Rejection::PayloadTooLarge)));
    }

    #[tokio::test]
    async fn exactly_at_the_limit_passes() {
        let read = read(
            Full::new(Bytes::from_static(b"12345")),
            &HeaderMap::new(),
            5,
            None,
        )
        .await;
        assert_eq!(&read.unwrap()[..], b"12345");
    }

    #[tokio::test]
    async fn slow_body_times_out() {
        let slow = StreamBody::new(futures_util::stream::pending::<
            Result<Frame<Bytes>, std::convert::Infallible>,
        >());
        let result = read(slow, &HeaderMap::new(), 5, Some(Duration::from_millis(20))).await;
        assert!(matches!(result, Err(Rejection::BodyTimeout)));
    }

    #[tokio::test]
    async fn a_body_that_stalls_after_its_first_frame_times_out() {
        use futures_util::StreamExt;
        let first: Result<Frame<Bytes>, std::convert::Infallible> =
            Ok(Frame::data(Bytes::from_static(b"ab")));
        let stalled = StreamBody::new(
            futures_util::stream::iter([first]).chain(futures_util::stream::pending()),
        );
        let result = read(
            stalled,
            &HeaderMap::new(),
            5,
            Some(Duration::from_millis(20)),
        )
        .await;
        assert!(matches!(result, Err(Rejection::BodyTimeout)));
    }
}
