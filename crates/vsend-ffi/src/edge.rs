//! The edge: C's pointers become Rust references here, once, at the entry of
//! each call, and nowhere else. Every `unsafe` operation of the crate is in
//! this module or in the one conversion block at the top of each `extern "C"`
//! function; the bodies that follow are safe code.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use vsend_core::Framework;

use crate::{invalid, Failure, VsendFramework};

/// A string for C: NUL-terminated, any interior NUL replaced (JSON never has one).
fn c_string(s: String) -> *mut c_char {
    let s = if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s
    };
    CString::new(s).expect("NULs were replaced").into_raw()
}

/// An out-parameter for a string (`char **`), cleared at once so the caller
/// never sees a stale pointer, and written at most once with [`OutString::put`].
#[derive(Debug)]
pub(crate) struct OutString<'a>(Option<&'a mut *mut c_char>);

impl OutString<'_> {
    /// No out-parameter: for calls that report no message.
    pub(crate) fn none() -> OutString<'static> {
        OutString(None)
    }

    /// # Safety
    /// `p` is null or valid for reads and writes of one pointer for as long as
    /// the returned value lives.
    pub(crate) unsafe fn new<'a>(p: *mut *mut c_char) -> OutString<'a> {
        // SAFETY: as promised by the caller; null becomes `None`.
        let mut slot = unsafe { p.as_mut() };
        if let Some(s) = slot.as_deref_mut() {
            *s = ptr::null_mut();
        }
        OutString(slot)
    }

    /// An error naming `what` when the caller passed null where a result must go.
    pub(crate) fn required(&self, what: &str) -> Result<(), Failure> {
        match self.0 {
            Some(_) => Ok(()),
            None => Err(invalid(format!("{what}: null pointer"))),
        }
    }

    /// Hands `value` to the caller (theirs to free with `vsend_string_free`).
    pub(crate) fn put(&mut self, value: String) {
        if let Some(slot) = self.0.as_deref_mut() {
            *slot = c_string(value);
        }
    }
}

/// An out-parameter for a framework handle (`VsendFramework **`), cleared at once.
#[derive(Debug)]
pub(crate) struct OutHandle<'a>(Option<&'a mut *mut VsendFramework>);

impl OutHandle<'_> {
    /// # Safety
    /// As [`OutString::new`].
    pub(crate) unsafe fn new<'a>(p: *mut *mut VsendFramework) -> OutHandle<'a> {
        // SAFETY: as promised by the caller; null becomes `None`.
        let mut slot = unsafe { p.as_mut() };
        if let Some(s) = slot.as_deref_mut() {
            *s = ptr::null_mut();
        }
        OutHandle(slot)
    }

    /// Hands a new framework to the caller (theirs to free with `vsend_framework_free`).
    pub(crate) fn put(&mut self, framework: Framework) -> Result<(), Failure> {
        let slot = self
            .0
            .as_deref_mut()
            .ok_or_else(|| invalid("out: null pointer"))?;
        *slot = Box::into_raw(Box::new(VsendFramework(framework)));
        Ok(())
    }
}

/// The bytes of a `(pointer, length)` input; null is allowed with length 0.
///
/// # Safety
/// `data` is null only with `len == 0`, else valid for reads of `len` bytes
/// for `'a`.
pub(crate) unsafe fn bytes<'a>(
    data: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(invalid(format!("{what}: null pointer with length {len}")));
    }
    // SAFETY: non-null, and the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// A NUL-terminated string argument, or `None` for null (UTF-8 is checked by
/// [`text`]).
///
/// # Safety
/// `s` is null or a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn c_str<'a>(s: *const c_char) -> Option<&'a CStr> {
    // SAFETY: non-null (checked), and NUL-terminated as the caller promises.
    (!s.is_null()).then(|| unsafe { CStr::from_ptr(s) })
}

/// The framework behind a handle, or `None` for null.
///
/// # Safety
/// `fw` is null or a live handle from this library, valid for `'a`.
pub(crate) unsafe fn handle<'a>(fw: *const VsendFramework) -> Option<&'a Framework> {
    // SAFETY: null or a live handle, as the caller promises.
    unsafe { fw.as_ref() }.map(|f| &f.0)
}

/// The framework of a handle converted by [`handle`]: null is an argument error.
pub(crate) fn framework(fw: Option<&Framework>) -> Result<&Framework, Failure> {
    fw.ok_or_else(|| invalid("framework: null pointer"))
}

/// An optional string argument converted by [`c_str`], checked for UTF-8.
pub(crate) fn text<'a>(s: Option<&'a CStr>, what: &str) -> Result<Option<&'a str>, Failure> {
    s.map(|s| {
        s.to_str()
            .map_err(|_| invalid(format!("{what}: not valid UTF-8")))
    })
    .transpose()
}

/// A required string argument converted by [`c_str`].
pub(crate) fn required_text<'a>(s: Option<&'a CStr>, what: &str) -> Result<&'a str, Failure> {
    text(s, what)?.ok_or_else(|| invalid(format!("{what}: null pointer")))
}

/// Frees a string this library handed out.
///
/// # Safety
/// `s` is null or a string from this library, not yet freed.
pub(crate) unsafe fn free_string(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` came from `CString::into_raw` in this library.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Frees a framework this library handed out.
///
/// # Safety
/// `fw` is null or a handle from this library, not yet freed.
pub(crate) unsafe fn free_framework(fw: *mut VsendFramework) {
    if !fw.is_null() {
        // SAFETY: `fw` came from `Box::into_raw` in this library.
        drop(unsafe { Box::from_raw(fw) });
    }
}
