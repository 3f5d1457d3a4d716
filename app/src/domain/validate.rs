//! Field rules shared by every form: each returns the clean value or the problem to show.

use crate::error::Problem;
pub use crate::limits::*;

/// Trimmed, non-empty, at most `max` characters.
pub fn text(value: &str, max: usize) -> Result<String, Problem> {
    let value = value.trim();
    if value.is_empty() {
        Err(Problem::Required)
    } else if value.chars().count() > max {
        Err(Problem::TooLong { max })
    } else {
        Ok(value.to_owned())
    }
}

/// Trimmed and lower-cased, so `Amina@Example.CM` and `amina@example.cm` are one account.
pub fn email(value: &str) -> Result<String, Problem> {
    let value = text(value, EMAIL_MAX)?.to_lowercase();
    // A dot in the domain: addresses on a bare host name are never real users.
    let has_dotted_domain = value
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.contains('.'));
    if email_address::EmailAddress::is_valid(&value)
        && has_dotted_domain
        && !value.contains(['<', '>'])
    {
        Ok(value)
    } else {
        Err(Problem::EmailInvalid)
    }
}

/// E.164. Cameroonian numbers may be written locally (`6 77 12 34 56`, `677123456`); any other
/// country needs `+` and its code.
pub fn phone(value: &str) -> Result<String, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Problem::Required);
    }
    if value.chars().count() > 32 {
        return Err(Problem::PhoneInvalid);
    }
    // `00` is the international call prefix used in Cameroon and Europe.
    let value = value
        .strip_prefix("00")
        .map_or_else(|| value.to_owned(), |rest| format!("+{rest}"));
    let international = value.starts_with('+');
    let country = (!international).then_some(phonenumber::country::Id::CM);
    match phonenumber::parse(country, &value) {
        Ok(number) if phonenumber::is_valid(&number) => {
            Ok(number.format().mode(phonenumber::Mode::E164).to_string())
        }
        _ if !international && value.chars().filter(char::is_ascii_digit).count() > 9 => {
            Err(Problem::PhoneNeedsCountryCode)
        }
        _ => Err(Problem::PhoneInvalid),
    }
}

/// At least 10 characters, at most 128, and not one of the passwords attackers try first.
pub fn password(value: &str) -> Result<(), Problem> {
    let length = value.chars().count();
    if length == 0 {
        Err(Problem::Required)
    } else if length < PASSWORD_MIN {
        Err(Problem::TooShort { min: PASSWORD_MIN })
    } else if length > PASSWORD_MAX {
        Err(Problem::TooLong { max: PASSWORD_MAX })
    } else if passwords::analyzer::is_common_password(value)
        || passwords::analyzer::is_common_password(value.to_lowercase())
    {
        Err(Problem::PasswordTooCommon)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cameroon_numbers_written_locally_become_e164() {
        for local in [
            "6 77 12 34 56",
            "677123456",
            "677-12-34-56",
            "+237 677 12 34 56",
            "00237677123456",
            "(+237) 6 77 12 34 56",
        ] {
            assert_eq!(phone(local), Ok("+237677123456".to_owned()), "{local}");
        }
        assert_eq!(
            phone("222 23 45 67"),
            Ok("+237222234567".to_owned()),
            "Douala landline"
        );
    }

    #[test]
    fn other_countries_need_a_plus() {
        assert_eq!(phone("+33 6 12 34 56 78"), Ok("+33612345678".to_owned()));
        assert_eq!(phone("+234 803 123 4567"), Ok("+2348031234567".to_owned()));
        assert_eq!(
            phone("0612345678"),
            Err(Problem::PhoneNeedsCountryCode),
            "a French number written locally"
        );
    }

    #[test]
    fn impossible_numbers_are_refused() {
        assert_eq!(phone(""), Err(Problem::Required));
        assert_eq!(phone("12345"), Err(Problem::PhoneInvalid));
        assert_eq!(
            phone("6771234"),
            Err(Problem::PhoneInvalid),
            "too short for Cameroon"
        );
        assert_eq!(phone("call me maybe"), Err(Problem::PhoneInvalid));
        assert_eq!(phone(&"6".repeat(40)), Err(Problem::PhoneInvalid));
    }

    #[test]
    fn emails_are_trimmed_lower_cased_and_checked() {
        assert_eq!(
            email("  Amina@Example.CM "),
            Ok("amina@example.cm".to_owned())
        );
        assert_eq!(email(""), Err(Problem::Required));
        for bad in [
            "amina",
            "amina@",
            "@example.cm",
            "amina@localhost",
            "a b@example.cm",
            "<a@example.cm>",
        ] {
            assert_eq!(email(bad), Err(Problem::EmailInvalid), "{bad}");
        }
        let long = format!("{}@example.cm", "a".repeat(250));
        assert_eq!(email(&long), Err(Problem::TooLong { max: EMAIL_MAX }));
    }

    #[test]
    fn passwords_must_be_long_and_uncommon() {
        assert_eq!(password(""), Err(Problem::Required));
        assert_eq!(password("short1"), Err(Problem::TooShort { min: 10 }));
        assert_eq!(password("1234567890"), Err(Problem::PasswordTooCommon));
        assert_eq!(password("Password123"), Err(Problem::PasswordTooCommon));
        assert_eq!(password("qwertyuiop"), Err(Problem::PasswordTooCommon));
        assert_eq!(
            password(&"x".repeat(129)),
            Err(Problem::TooLong { max: 128 })
        );
        assert_eq!(password("mangue-plantain-2026"), Ok(()));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            text("  Boulangerie du Coin ", NAME_MAX),
            Ok("Boulangerie du Coin".to_owned())
        );
        assert_eq!(text("   ", NAME_MAX), Err(Problem::Required));
        assert_eq!(
            text(&"é".repeat(121), NAME_MAX),
            Err(Problem::TooLong { max: NAME_MAX })
        );
        assert_eq!(
            text(&"é".repeat(120), NAME_MAX).map(|s| s.chars().count()),
            Ok(120)
        );
    }
}
