//! A way back in, and a way to move on: password reset by an emailed code (OWASP's Forgot
//! Password cheat sheet: same answer and time for every address, a short-lived single-use
//! code, every session ended, no automatic login), and password change while logged in.

use super::codes::{self, Purpose};
use super::{
    app_passwords, emails, input, password, sessions, throttle, Accounts, AuthError, CurrentUser,
};

impl Accounts {
    /// Mails a reset code if the address has an account or a sign-up. Answers at once, the
    /// same for every address; the lookup and the mail happen after the answer.
    pub fn forgot_password(&self, email: &str) -> Result<(), AuthError> {
        let email = input::email(email)?;
        self.in_background("mailing a reset code", move |this| async move {
            let name = match this.find_user(&email).await? {
                Some(user) => user.name,
                None => match this.registrations(&email).await?.into_iter().next() {
                    Some(registration) => registration.name,
                    None => return Ok(()),
                },
            };
            this.send_code(&email, &name, Purpose::PasswordReset).await
        });
        Ok(())
    }

    /// Sets a new password with a mailed reset code. Ends every session (and clears the
    /// password lockout, not the code counts nor the authenticator app); verifies a sign-up.
    /// Does not log in: the user does that next, with both factors.
    pub async fn reset_password(
        &self,
        email: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), AuthError> {
        let email = input::email(email)?;
        password::check_policy(new_password, &[&email])?;
        let guess =
            codes::guess(&self.db, &email, Purpose::PasswordReset, self.clock.now()).await?;
        let Some(code_id) = guess.matching(&self.secrets, &email, Purpose::PasswordReset, code)
        else {
            self.wrong_code(&email, &guess, "password reset");
            return Err(AuthError::InvalidCode);
        };
        let hash = self.hasher.hash(new_password).await?;
        guess
            .consume(&self.db, &code_id)
            .await
            .map_err(|_| AuthError::InvalidCode)?;
        let name = match self.find_user(&email).await? {
            Some(user) => {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(&hash)
                    .bind(&user.id)
                    .execute(&self.db)
                    .await?;
                sessions::revoke_all(&self.db, &user.id).await?;
                app_passwords::revoke_all(&self.db, &user.id).await?;
                user.name
            }
            None => {
                // The code proves the address: the newest sign-up becomes the account.
                let newest = self.registrations(&email).await?.into_iter().next();
                let Some(registration) = newest else {
                    return Err(AuthError::InvalidCode);
                };
                self.activate(&email, &registration.name, &hash, registration.created_at)
                    .await?;
                registration.name
            }
        };
        throttle::clear(&self.db, &email).await?;
        self.notify(emails::password_changed(&self.to(&email, &name)))
            .await;
        Ok(())
    }

    /// Changes the password of the logged-in user, who must know the current one (a wrong one
    /// counts toward the lockout). Other sessions end; this one stays.
    pub async fn change_password(
        &self,
        current: &CurrentUser,
        current_password: &str,
        new_password: &str,
    ) -> Result<(), AuthError> {
        let user = self.user_by_id(&current.user_id).await?;
        password::check_policy(new_password, &[&user.email, &user.name])?;
        self.check_password(&user, current_password).await?;
        let hash = self.hasher.hash(new_password).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(&hash)
            .bind(&user.id)
            .execute(&self.db)
            .await?;
        sessions::revoke_others(&self.db, &user.id, &current.session_id).await?;
        app_passwords::revoke_all(&self.db, &user.id).await?;
        self.notify(emails::password_changed(&self.to(&user.email, &user.name)))
            .await;
        Ok(())
    }

    /// The logged-in user's password, checked under the lockout like a login.
    pub(super) async fn check_password(
        &self,
        user: &super::UserRow,
        password: &str,
    ) -> Result<(), AuthError> {
        throttle::reserve(&self.db, &user.email, self.clock.now()).await?;
        if !self.hasher.verify(password, &user.password_hash).await? {
            return Err(AuthError::WrongPassword);
        }
        throttle::clear(&self.db, &user.email).await
    }
}
